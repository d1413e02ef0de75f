/**
 * What crash recovery does with each orphan (an operation journaled as running whose process is gone), decided
 * from the records alone. An orphan's recorded "previous state" is what ran when it started; once a later operation
 * has finished after changing what runs, that state (and the orphan's pre-deploy dump) is older than what runs now,
 * so putting it back would throw away the later version and every row written since. Such an orphan is closed as
 * superseded and nothing is undone. Any other orphan is undone, newest first: each undo puts back what ran when that
 * orphan started, which is what the next older orphan left.
 */

/** An operation that ended, as the rule sees it: whether it changed what runs (journaled a mutating step). */
export interface FinishedOperation {
  id: number;
  changedHost: boolean;
}

export type OrphanAction = { id: number; action: 'supersede'; by: number } | { id: number; action: 'undo' };

export function planRecovery(
  orphans: ReadonlyArray<{ id: number }>,
  finished: readonly FinishedOperation[],
): OrphanAction[] {
  const superseded: OrphanAction[] = [];
  const undone: OrphanAction[] = [];
  for (const orphan of orphans) {
    const later = finished.filter((f) => f.id > orphan.id && f.changedHost).sort((a, b) => a.id - b.id)[0];
    if (later) superseded.push({ id: orphan.id, action: 'supersede', by: later.id });
    else undone.push({ id: orphan.id, action: 'undo' });
  }
  return [...superseded, ...undone.sort((a, b) => b.id - a.id)];
}
