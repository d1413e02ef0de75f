/**
 * SIGTERM during an operation: the running step finishes, then the process
 * stops at that step boundary, leaving the journal as a SIGKILL there would.
 * The next start's crash recovery puts a recorded version back. Steps are the
 * consistent points: nothing is ever half-done between two of them.
 */
let stopRequested = false;
let operationsRunning = 0;

export function requestStop(): void {
  stopRequested = true;
}

export function operationStarted(): () => void {
  operationsRunning++;
  let ended = false;
  return () => {
    if (!ended) {
      ended = true;
      operationsRunning--;
    }
  };
}

export function operationsInProgress(): number {
  return operationsRunning;
}

/**
 * Called at each step boundary. A test-only fault injection lives here too:
 * SWITCHYARD_FAULT_KILL_AT=<step name> makes the process SIGKILL itself just
 * before that step, to prove recovery from a crash at every boundary.
 */
export function atStepBoundary(nextStep: string): void {
  if (process.env.SWITCHYARD_FAULT_KILL_AT === nextStep) process.kill(process.pid, 'SIGKILL');
  if (stopRequested) {
    process.stderr.write(`switchyard: stopping before step "${nextStep}" (SIGTERM); the next start recovers\n`);
    process.exit(143);
  }
}
