import type { BackupRow } from '../store/index.js';
import { explainFailure } from './failureReport.js';
import type { Journal } from './journal.js';
import type { DeployPorts } from './ports.js';
import { StoppedAtBoundary } from './shutdown.js';
import type { HostState } from './state.js';

/** What putting the previous state back did: structured, so each caller words it its own way. */
export type UndoOutcome = { ok: true; restored: string[] } | { ok: false; failure: string };

/**
 * Puts a recorded previous state back — commit, pins, containers — and the given dump when the
 * policy says so (auto: only if the schema changed since the dump, i.e. migrations ran). Serves
 * the automatic rollback of a failed deploy, the undo of a failed rollback, and crash recovery.
 * Never throws (but a stop request still stops it at a step boundary).
 */
export async function restorePreviousState(
  ports: DeployPorts,
  journal: Journal,
  input: {
    previous: HostState;
    backup: BackupRow | undefined;
    restoreDatabase: 'auto' | 'always' | 'never';
    /** Dump the live database (writers stopped) before the restore replaces it; crash recovery does. */
    keepReplaced?: { actor: string; deploymentId: number };
  },
): Promise<UndoOutcome> {
  const { previous, backup } = input;
  const restored = ['images'];
  try {
    if (previous.commit) {
      const commit = previous.commit;
      await journal.step(
        'rollback: checkout',
        () => ports.host.checkout(commit),
        () => ({ commit }),
      );
      restored.push(`commit ${commit.slice(0, 7)}`);
    }
    await journal.step(
      'rollback: pin',
      () => ports.host.restorePins(previous),
      () => previous.images,
    );

    const why = await databaseRestoreReason(ports, backup, input.restoreDatabase);
    if (why && backup) {
      const writers = ports.settings.databaseWriters;
      await journal.step(
        'rollback: stop writers',
        () => ports.engine.stop(writers, (l) => journal.log(l)),
        () => ({ services: writers }),
      );
      const keep = input.keepReplaced;
      const kept = keep
        ? await journal.step(
            'backup',
            () => ports.database.dump({ reason: 'pre-rollback', note: 'crash recovery', ...keep }),
            (b) => ({ id: b.id, file: b.fileName }),
          )
        : undefined;
      await journal.step(
        'rollback: restore database',
        () => ports.database.restore(backup),
        () => ({ backup: backup.id, why }),
      );
      restored.push(`database from ${backup.fileName}${kept ? `, the replaced one kept as ${kept.fileName}` : ''}`);
    } else {
      // Named by the backup's own reason: a rollback's undo has a pre-rollback backup, or none (images only).
      const skipped = !backup
        ? 'the operation took no backup'
        : input.restoreDatabase === 'never'
          ? 'restore policy: never'
          : `schema unchanged since the ${backup.reason} backup`;
      journal.skip('rollback: restore database', skipped);
    }

    await journal.step('rollback: up', () => ports.engine.up((l) => journal.log(l)));
    await journal.step('rollback: health', () => ports.engine.health(previous.images));
    return { ok: true, restored };
  } catch (e) {
    if (e instanceof StoppedAtBoundary) throw e;
    return { ok: false, failure: await explainFailure(ports, journal, e) };
  }
}

/** The undo in words: "<what> (images, commit abc1234, database from …)", or the loud failure. */
export function describeUndo(outcome: UndoOutcome, what: string): string {
  return outcome.ok ? `${what} (${outcome.restored.join(', ')})` : `ROLLBACK FAILED: ${outcome.failure}`;
}

/** Why the database must be restored, or null when it must not. */
async function databaseRestoreReason(
  ports: DeployPorts,
  backup: BackupRow | undefined,
  policy: 'auto' | 'always' | 'never',
): Promise<string | null> {
  if (!backup || policy === 'never') return null;
  if (policy === 'always') return 'restore policy: always';
  const now = await ports.database.schemaFingerprint();
  return now !== backup.schemaFingerprint
    ? `the schema changed since the ${backup.reason} backup (migrations ran)`
    : null;
}
