/**
 * SIGTERM during an operation: the running step finishes, then the operation stops at that step
 * boundary, leaving the journal as a SIGKILL there would; the next start's crash recovery puts a
 * recorded version back. Steps are the consistent points: nothing is half-done between two of them.
 *
 * One per process, built by the composition root (createRuntime, src/main/runtime.ts); the face that got the signal
 * decides how the process ends (the CLI exits 143, the daemon closes). Domain code never exits.
 */
export class StoppedAtBoundary extends Error {
  constructor(
    readonly nextStep: string,
    readonly signal = 'SIGTERM',
  ) {
    super(`stopping before step "${nextStep}" (${signal}); the next operation recovers`);
  }
}

export class StopSignal {
  private requested = false;
  /** The signal that asked to stop, named in the messages (Ctrl-C is SIGINT, a dropped SSH session SIGHUP). */
  private signal = 'SIGTERM';
  private running = 0;
  /** The step an operation stopped before, once one has. */
  stoppedBefore: string | undefined;

  /**
   * `faultKillAt`, for tests only (SWITCHYARD_FAULT_KILL_AT=<step name>): the process SIGKILLs
   * itself just before that step, to prove recovery from a crash at every boundary.
   */
  constructor(private readonly faultKillAt?: string) {}

  requestStop(signal = 'SIGTERM'): void {
    if (!this.requested) this.signal = signal;
    this.requested = true;
  }

  /** Which signal asked to stop, once one has. */
  get stopSignal(): string {
    return this.signal;
  }

  get stopRequested(): boolean {
    return this.requested;
  }

  /** Counts a running operation until the returned function is called (idempotent). */
  operationStarted(): () => void {
    this.running++;
    let ended = false;
    return () => {
      if (!ended) {
        ended = true;
        this.running--;
      }
    };
  }

  operationsInProgress(): number {
    return this.running;
  }

  /** Tests only: SIGKILLs this process at the point named by SWITCHYARD_FAULT_KILL_AT (a step, or a point inside one). */
  faultPoint(name: string): void {
    if (this.faultKillAt === name) process.kill(process.pid, 'SIGKILL');
  }

  /** Called before each step: throws StoppedAtBoundary once a stop was requested. */
  atStepBoundary(nextStep: string): void {
    this.faultPoint(nextStep);
    if (this.requested) {
      this.stoppedBefore ??= nextStep;
      throw new StoppedAtBoundary(nextStep, this.signal);
    }
  }
}
