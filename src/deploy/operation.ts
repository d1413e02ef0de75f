import type { Deployment } from '../store/index.js';
import { StoppedAtBoundary, type StopSignal } from './shutdown.js';

/** What running an operation needs: the one-at-a-time lock and the process's stop signal. */
export interface OperationPorts {
  lock: { acquire(operation: string): () => void };
  stop: StopSignal;
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
 * running for crash recovery; `done` then settles with that record.
 */
export function startOperation(
  ports: OperationPorts,
  description: string,
  create: () => number,
  run: (id: number) => Promise<Deployment>,
  current: (id: number) => Deployment,
): StartedDeployment {
  const release = ports.lock.acquire(description);
  let id: number;
  try {
    id = create();
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
  const release = ports.lock.acquire(description);
  const ended = ports.stop.operationStarted();
  try {
    return await run();
  } finally {
    release();
    ended();
  }
}
