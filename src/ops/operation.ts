import type { Deployment } from '../store/index.js';
import type { Clock } from '../util/clock.js';
import { StoppedAtBoundary, type StopSignal } from './shutdown.js';

/** What running an operation needs: the one-at-a-time lock, crash recovery, the process's stop signal, and the time. */
export interface OperationPorts {
  lock: { acquire(operation: string, at: Date): () => void };
  /**
   * Crash recovery (recover.ts's recoverOrphans), run by every operation once it holds the lock and before it
   * records anything: what a dead process left running is closed first, whoever starts next (daemon, scheduler, CLI).
   */
  recoverOrphans(): Promise<unknown>;
  stop: StopSignal;
  clock: Clock;
}

export interface StartedDeployment {
  id: number;
  /**
   * Settles with the record as it ended (never rejects), once whatever runs on after it under the lock
   * (a rollback's safety backup) has ended too, and the lock is released.
   */
  done: Promise<Deployment>;
  /** Settles with the record as soon as it has ended: for a rollback, when health passed, before its safety backup. */
  finished: Promise<Deployment>;
}

/**
 * The one way a deploy or rollback runs: take the lock (a busy host is a 409 before anything is
 * recorded), recover what a crash left running, create its record, count it as running for a graceful shutdown,
 * run it in the background, and release the lock when it ends. A stop at a step boundary leaves the record
 * running for crash recovery; `done` then settles with that record. The lock and the record
 * carry one reading of the clock: they start at the same moment.
 */
export async function startOperation(
  ports: OperationPorts,
  description: string,
  create: (at: Date) => number,
  run: (id: number) => Promise<Deployment>,
  current: (id: number) => Deployment,
  /** Runs on under the lock once the record has ended, counted for a graceful shutdown; must not throw. */
  afterwards?: (record: Deployment) => Promise<void>,
): Promise<StartedDeployment> {
  const at = ports.clock.now();
  const { release, ended } = await enter(ports, description, at);
  let id: number;
  try {
    id = create(at);
  } catch (e) {
    release();
    ended();
    throw e;
  }
  const finished = run(id).catch((e: unknown) => {
    if (e instanceof StoppedAtBoundary) return current(id);
    throw e;
  });
  const done = finished
    .then(async (record) => {
      if (!afterwards || ports.stop.stoppedBefore !== undefined) return record;
      // A stop at a boundary of what runs on leaves it to crash recovery, as during the operation itself.
      await afterwards(record).catch((e: unknown) => {
        if (!(e instanceof StoppedAtBoundary)) throw e;
      });
      return current(id);
    })
    .finally(() => {
      release();
      ended();
    });
  return { id, done, finished };
}

/** An operation run in the foreground under the lock (backup, drill), after crash recovery like every other. */
export async function underLock<T>(ports: OperationPorts, description: string, run: () => Promise<T>): Promise<T> {
  const { release, ended } = await enter(ports, description, ports.clock.now());
  try {
    return await run();
  } finally {
    release();
    ended();
  }
}

/** Crash recovery itself, run on its own: the lock and the shutdown count, without recovering first. */
export async function holdingLock<T>(
  ports: Omit<OperationPorts, 'recoverOrphans'>,
  description: string,
  run: () => Promise<T>,
): Promise<T> {
  const release = ports.lock.acquire(description, ports.clock.now());
  const ended = ports.stop.operationStarted();
  try {
    return await run();
  } finally {
    release();
    ended();
  }
}

/** The lock, counted for a graceful shutdown, then crash recovery: the start every operation shares. */
async function enter(
  ports: OperationPorts,
  description: string,
  at: Date,
): Promise<{ release(): void; ended(): void }> {
  const release = ports.lock.acquire(description, at);
  const ended = ports.stop.operationStarted();
  try {
    await ports.recoverOrphans();
  } catch (e) {
    release();
    ended();
    throw e;
  }
  return { release, ended };
}
