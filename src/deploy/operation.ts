import type { Deployment } from '../store/index.js';
import type { Clock } from '../util/clock.js';
import { StoppedAtBoundary, type StopSignal } from './shutdown.js';

/** What running an operation needs: the one-at-a-time lock, the process's stop signal, and the time it starts. */
export interface OperationPorts {
  lock: { acquire(operation: string, at: Date): () => void };
  stop: StopSignal;
  clock: Clock;
}

export interface StartedDeployment {
  id: number;
  /** Settles when the deployment has ended, whatever the outcome (it never rejects). */
  done: Promise<Deployment>;
}

/**
 * The one way a deploy or rollback runs: take the lock (a busy host is a 409 before anything is
 * recorded), create its record, count it as running for a graceful shutdown, run it in the
 * background, and release the lock when it ends. A stop at a step boundary leaves the record
 * running for crash recovery; `done` then settles with that record. The lock and the record
 * carry one reading of the clock: they start at the same moment.
 */
export function startOperation(
  ports: OperationPorts,
  description: string,
  create: (at: Date) => number,
  run: (id: number) => Promise<Deployment>,
  current: (id: number) => Deployment,
): StartedDeployment {
  const at = ports.clock.now();
  const release = ports.lock.acquire(description, at);
  let id: number;
  try {
    id = create(at);
  } catch (e) {
    release();
    throw e;
  }
  const ended = ports.stop.operationStarted();
  const done = run(id)
    .catch((e: unknown) => {
      if (e instanceof StoppedAtBoundary) return current(id);
      throw e;
    })
    .finally(() => {
      release();
      ended();
    });
  return { id, done };
}

/** An operation run in the foreground under the lock (backup, drill, crash recovery). */
export async function underLock<T>(ports: OperationPorts, description: string, run: () => Promise<T>): Promise<T> {
  const release = ports.lock.acquire(description, ports.clock.now());
  const ended = ports.stop.operationStarted();
  try {
    return await run();
  } finally {
    release();
    ended();
  }
}
