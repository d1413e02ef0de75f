/**
 * Every step an operation journals, in one table: the journal takes only these names, recovery
 * decides from `mutates` and `touchesDatabase` what an interrupted operation had changed, the UI
 * labels rows with `label`, and the crash test kills the process before each one.
 */
export interface StepInfo {
  /** What the step does, for people. */
  readonly label: string;
  /** Changes something that runs (code, pins, containers, the live database); false: only reads or adds. */
  readonly mutates: boolean;
  /** Once this step has begun, the live database may no longer match the operation's own backup. */
  readonly touchesDatabase: boolean;
}

const step = (label: string, mutates: boolean, touchesDatabase = false): StepInfo => ({
  label,
  mutates,
  touchesDatabase,
});

export const STEPS = {
  resolve: step('Resolve the ref to a commit', false),
  check: step('Check the dump and the images', false),
  'start database': step('Start the database service', false),
  download: step('Download, decrypt and verify the off-site copy', false),
  inspect: step('Record what runs now', false),
  pull: step('Pull the images and pin them by digest', false),
  preflight: step('Check platforms, work tree and backup space', false),
  backup: step('Take a verified backup', false),
  'restore copy': step('Restore the dump beside the live database and verify it', false),
  'stage rows': step("Copy the live database's rows beside the restored copy (first pass)", false),
  // Stopping the writers leaves the database as it is: only the restore or the swap that follows reach it.
  'stop writers': step('Stop the services that write to the database', true),
  // The fence and the carry-over leave the live database's content as it is: undoing them is lifting the fence.
  fence: step('Fence the live database: no new sessions, the others ended', true),
  'carry over': step('Carry the rows inserted since the dump into the restored copy; write the leftovers', true),
  'swap database': step('Swap the restored copy in for the live database, keeping the replaced one', true, true),
  'restore database': step('Restore the database', true, true),
  // Journaled by earlier versions after the restore (the restore now verifies the copy before the swap).
  verify: step('Verify the restored database', true, true),
  checkout: step('Check out the commit', true),
  pin: step('Write the pin file', true),
  up: step('Switch the managed services to their new containers (start-first where it can work)', true),
  health: step('Check health', true),
  diagnose: step("Keep the failing containers' logs and health checks", false),
  cleanup: step('Prune old backups and unused images', false),
  // After the app serves again: the kept (replaced) database, whole at its fence, becomes the safety backup.
  'safety backup': step('Dump and verify the replaced database, kept beside the live one', false),
  'drop kept database': step('Drop the kept database, its dump verified', false),
  'rollback: checkout': step('Check out the previous commit', true),
  'rollback: pin': step('Put the previous pins back', true),
  'rollback: stop writers': step('Stop the services that write to the database', true, true),
  'rollback: restore database': step('Restore the pre-operation backup', true, true),
  'rollback: restore copy': step('Restore the pre-operation backup beside the live database and verify it', false),
  'rollback: stage rows': step("Copy the live database's rows beside the restored copy (first pass)", false),
  'rollback: fence': step('Fence the live database: no new sessions, the others ended', true),
  'rollback: carry over': step('Carry the rows inserted since the dump into the restored copy', true),
  'rollback: swap database': step('Swap the restored copy in, keeping the replaced database', true, true),
  // The kept database is the state from before the swap: it comes back by name, no dump restored.
  'rollback: swap back': step('Swap the kept database back in, keeping the replaced one', true, true),
  'rollback: up': step('Switch the managed services back to the previous containers', true),
  'rollback: health': step('Check health of the previous version', true),
} as const satisfies Record<string, StepInfo>;

export type StepName = keyof typeof STEPS;

/** The journal names of the online restore's steps: a rollback's own, or those of an undo (prefixed). */
export const ONLINE_RESTORE_STEPS = {
  rollback: {
    copy: 'restore copy',
    stage: 'stage rows',
    stop: 'stop writers',
    fence: 'fence',
    carry: 'carry over',
    swap: 'swap database',
  },
  undo: {
    copy: 'rollback: restore copy',
    stage: 'rollback: stage rows',
    stop: 'rollback: stop writers',
    fence: 'rollback: fence',
    carry: 'rollback: carry over',
    swap: 'rollback: swap database',
  },
} as const satisfies Record<string, Record<string, StepName>>;

/** The steps of a deploy, in order (a step may be skipped, never reordered). */
export const DEPLOY_STEPS = [
  'resolve',
  'inspect',
  'pull',
  'preflight',
  'backup',
  'checkout',
  'pin',
  'up',
  'health',
  'cleanup',
] as const satisfies readonly StepName[];

/** The steps of a rollback to before a deployment, in order. */
export const ROLLBACK_STEPS = [
  'check',
  'inspect',
  'restore copy',
  'stage rows',
  'stop writers',
  'fence',
  'carry over',
  'swap database',
  'checkout',
  'pin',
  'up',
  'health',
  // The record is finished at health; these run on under the lock while the app serves.
  'safety backup',
  'drop kept database',
] as const satisfies readonly StepName[];

const isStepName = (name: string): name is StepName => Object.hasOwn(STEPS, name);

/** The label of a journaled step; a name from an older version is shown as it is. */
export const stepLabel = (name: string): string => (isStepName(name) ? STEPS[name].label : name);

/** Whether any of these journaled steps changed what runs (an unknown name counts as a change). */
export const anyMutated = (names: readonly string[]): boolean => names.some((n) => !isStepName(n) || STEPS[n].mutates);

/** Whether any of these journaled steps reached the live database. */
export const anyTouchedDatabase = (names: readonly string[]): boolean =>
  names.some((n) => isStepName(n) && STEPS[n].touchesDatabase);
