import type { CarryOverMode, CarryOverReport } from '../carryover/run.js';
import type { BackupRow } from '../store/index.js';
import type { Journal } from '../ops/journal.js';
import type { DeployPorts } from './ports.js';
import { ONLINE_RESTORE_STEPS } from '../domain/steps.js';

export interface OnlineReplacement {
  backup: BackupRow;
  mode: CarryOverMode;
  /** The operation (or the one undone): the kept database and the leftovers file are named after it. */
  owner: number;
  /** The leftovers file's first line. */
  title: string;
  names: keyof typeof ONLINE_RESTORE_STEPS;
}

/**
 * The one way a dump replaces the live database, for a rollback and for every undo (the automatic rollback of a
 * failed deploy, crash recovery): restored and verified beside it while the app serves, the rows written since
 * staged, the writers stopped, the fence, the carry-over, and the swap, which keeps the replaced database (its
 * dump is taken once the app serves again: keptDatabase.ts). A failure before the swap lifts the fence and drops
 * the copy: the live database is whole. `swapped` is set once the replaced database is kept.
 */
export async function replaceOnline(
  ports: DeployPorts,
  journal: Journal,
  input: OnlineReplacement,
  state: { swapped: boolean },
): Promise<CarryOverReport> {
  const { backup, mode, owner, names } = input;
  const n = ONLINE_RESTORE_STEPS[names];
  const keep = { owner, undo: names === 'undo' };
  const copy = await journal.step(
    n.copy,
    () => ports.database.restoreOnline(backup, mode, keep),
    (r) => ({ backup: backup.id, file: backup.fileName, via: r.via }),
  );
  try {
    if (mode === 'inserts')
      await journal.step(
        n.stage,
        () => copy.stageRows(),
        (r) => r,
      );
    const writers = ports.settings.databaseWriters;
    await journal.step(
      n.stop,
      () => ports.engine.stop(writers, (l) => journal.log(l)),
      () => ({ services: writers }),
    );
    await journal.step(
      n.fence,
      () => copy.fence(),
      (r) => r,
    );
    const file = ports.database.leftoversFile(owner);
    const carried: CarryOverReport =
      mode === 'inserts'
        ? await journal.step(
            n.carry,
            () => copy.carryOver({ file, title: input.title }),
            (r) => r,
          )
        : { mode: 'none', tables: [], leftoversFile: null };
    await journal.step(
      n.swap,
      () => copy.swap(),
      (r) => r,
    );
    state.swapped = true;
    return carried;
  } catch (e) {
    // The swap is one transaction: when it failed, the names are as they were unless it got as far as keeping.
    const kept = await ports.database.keptDatabases().catch(() => []);
    state.swapped = kept.some((k) => k.owner === keep.owner && k.undo === keep.undo);
    if (!state.swapped) await copy.abandon();
    throw e;
  }
}
