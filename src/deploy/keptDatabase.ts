import type { KeptRef } from '../backup/kept.js';
import { oneLine } from '../errors.js';
import type { BackupRow } from '../store/index.js';
import type { Journal } from '../ops/journal.js';
import type { DeployPorts } from './ports.js';
import { reportOutcome } from '../ops/report.js';
import { StoppedAtBoundary } from '../ops/shutdown.js';

export type SecuredOutcome = { ok: true; backup: BackupRow } | { ok: false; failure: string };

/**
 * A database an operation or its undo replaced (kept by the swap: src/backup/kept.ts) dumped and verified as a
 * `pre-rollback` backup, then dropped: never before its dump is verified. A rollback that succeeded records the
 * dump as its backup (what a rollback of it restores). A failure is loud (audit, notification, error log) and
 * leaves the kept database in place; the next operation's recovery tries again. Never throws (but a stop
 * request still stops it at a step boundary).
 */
export async function secureKept(
  ports: DeployPorts,
  journal: Journal,
  kept: KeptRef,
  actor: string,
): Promise<SecuredOutcome> {
  const { owner } = kept;
  try {
    const backup = await journal.step(
      'safety backup',
      () => ports.database.dumpKept(kept, { reason: 'pre-rollback', actor, deploymentId: owner }),
      (b) => ({ id: b.id, file: b.fileName }),
    );
    const record = ports.deployments.get(owner);
    if (!kept.undo && record?.kind === 'rollback' && record.status === 'succeeded' && record.backupId === null)
      ports.deployments.setBackup(owner, backup.id);
    await journal.step(
      'drop kept database',
      () => ports.database.dropKept(kept),
      () => ({ backup: backup.id }),
    );
    return { ok: true, backup };
  } catch (e) {
    if (e instanceof StoppedAtBoundary) throw e;
    const failure = `the safety backup of the database deployment ${owner} replaced failed, so that database is kept (not dropped) until a dump of it is verified: ${oneLine(e)}`;
    reportOutcome(ports, {
      audit: { actor, action: 'safety-backup', target: `deployment ${owner}`, ok: false, detail: failure },
      notification: { event: 'rollback', ok: false, summary: failure, details: { id: owner } },
      log: { level: 'error', message: 'safety backup failed; the replaced database is kept', fields: { owner } },
    });
    return { ok: false, failure };
  }
}
