import { describeCarryOver } from '../carryover/report.js';
import type { BackupRow } from '../store/index.js';
import { explainFailure } from './failureReport.js';
import type { Journal } from '../ops/journal.js';
import { secureKept } from './keptDatabase.js';
import { replaceOnline } from './onlineReplace.js';
import type { DeployPorts } from './ports.js';
import { StoppedAtBoundary } from '../ops/shutdown.js';
import type { HostState } from './state.js';

/** What putting the previous state back did: structured, so each caller words it its own way. */
export type UndoOutcome = { ok: true; restored: string[] } | { ok: false; failure: string };

/**
 * Puts a recorded previous state back — commit, pins, containers — and the database: the operation's kept
 * database swapped back, or else the given dump restored online (onlineReplace.ts, the rollback's own way, with
 * the configured carry-over) when the policy says so (auto: only if the schema changed since the dump, i.e.
 * migrations ran). Once the app is healthy, what it replaced is dumped, verified and dropped. Serves
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
    /** The operation undone, whose journal `journal` is: its kept databases and leftovers are named after it. */
    owner: number;
    actor: string;
  },
): Promise<UndoOutcome> {
  const { previous, backup, owner } = input;
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

    // Only a database that may have been replaced is looked for: an undo that never restores needs no session.
    const mayReplace = input.restoreDatabase !== 'never';
    const kept = mayReplace ? (await ports.database.keptDatabases()).filter((k) => k.owner === owner) : [];
    const why = await databaseRestoreReason(ports, backup, input.restoreDatabase);
    const plan = databaseUndo({
      why,
      backup,
      policy: input.restoreDatabase,
      keptByOperation: kept.some((k) => !k.undo),
      keptByUndo: kept.some((k) => k.undo),
    });
    if (plan.action === 'swap back') {
      const writers = ports.settings.databaseWriters;
      await journal.step(
        'rollback: stop writers',
        () => ports.engine.stop(writers, (l) => journal.log(l)),
        () => ({ services: writers }),
      );
      await journal.step('rollback: swap back', () => ports.database.swapBack(owner));
      restored.push('database swapped back (the one replaced, kept until now)');
    } else if (plan.action === 'restore') {
      const mode = ports.settings.carryOver;
      const carried = await replaceOnline(
        ports,
        journal,
        {
          backup: plan.backup,
          mode,
          owner,
          title: `switchyard leftovers of the undo of deployment ${owner}`,
          names: 'undo',
        },
        { swapped: false },
      );
      restored.push(`database from ${plan.backup.fileName} (${describeCarryOver(carried)})`);
    } else {
      journal.skip('rollback: restore database', plan.why);
    }

    await journal.step('rollback: up', () => ports.engine.up((l) => journal.log(l)));
    await journal.step('rollback: health', () => ports.engine.health(previous.images));
    // The app serves again: now the database the undo (or the operation) replaced is dumped, then dropped.
    for (const ref of mayReplace ? await ports.database.keptDatabases() : []) {
      if (ref.owner !== owner) continue;
      const secured = await secureKept(ports, journal, ref, input.actor);
      restored.push(
        secured.ok
          ? `the replaced database kept as ${secured.backup.fileName}`
          : 'the replaced database kept on the server (its dump failed)',
      );
    }
    return { ok: true, restored };
  } catch (e) {
    if (e instanceof StoppedAtBoundary) throw e;
    return { ok: false, failure: await explainFailure(ports, journal, e) };
  }
}

export type DatabaseUndo =
  | { action: 'swap back' }
  | { action: 'restore'; backup: BackupRow }
  | { action: 'none'; why: string };

/**
 * What an undo does to the database, from what exists: the operation's kept database is the state from before
 * it, so it is swapped back (no dump restored, nothing written since its fence lost); an undo's kept database
 * means this undo already put the database back (recovery after a crash in it); else the dump, when `why`.
 */
export function databaseUndo(input: {
  why: string | null;
  backup: BackupRow | undefined;
  policy: 'auto' | 'always' | 'never';
  keptByOperation: boolean;
  keptByUndo: boolean;
}): DatabaseUndo {
  if (input.keptByUndo) return { action: 'none', why: 'the database was already put back (the replaced one is kept)' };
  if (input.keptByOperation) return { action: 'swap back' };
  if (input.why && input.backup) return { action: 'restore', backup: input.backup };
  // Named by the backup's own reason: a rollback's undo has a pre-rollback backup, or none (images only).
  if (!input.backup) return { action: 'none', why: 'the operation took no backup' };
  if (input.policy === 'never') return { action: 'none', why: 'restore policy: never' };
  return { action: 'none', why: `schema unchanged since the ${input.backup.reason} backup` };
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
