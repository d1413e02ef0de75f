import { type ContainerFacts, checkOutputLine, isReady } from '../docker/containerFacts.js';

/**
 * While compose waits (`up --wait` prints only "Waiting") or the start-first switch waits for a new container's
 * healthcheck, nothing else would be said for up to the whole timeout: every few seconds, one line per container not
 * ready yet says where it is.
 */
export const WAIT_PROGRESS_EVERY_MS = 3000;

/** "backend-2: running, health starting, 6 s: last check exit 1: connection refused" (6 s into the wait). */
export function waitLine(c: ContainerFacts, waitedMs: number): string {
  const state = c.state !== 'running' && c.exitCode !== null ? `${c.state} (code ${c.exitCode})` : c.state;
  const health = c.health === 'none' ? 'no healthcheck' : `health ${c.health}`;
  const last = c.healthChecks.at(-1);
  const said = last ? checkOutputLine(last.output) : '';
  const check = last ? `: last check exit ${last.exitCode}${said ? `: ${said}` : ''}` : '';
  return `${c.name}: ${state}, ${health}, ${Math.round(waitedMs / 1000)} s${check}`;
}

/** One tick's lines: one per container still not running and healthy. */
export const waitLines = (containers: readonly ContainerFacts[], waitedMs: number): string[] =>
  containers.filter((c) => !isReady(c)).map((c) => waitLine(c, waitedMs));

/**
 * Runs `wait`; every `everyMs` until it settles, reads the containers waited for and hands `onLine` a line for each
 * not ready yet. Nothing is said once the wait has ended, and a read that fails says nothing: the wait's own outcome
 * is what counts.
 */
export async function withWaitProgress<T>(
  wait: () => Promise<T>,
  read: () => Promise<readonly ContainerFacts[]>,
  onLine: (line: string) => void,
  everyMs = WAIT_PROGRESS_EVERY_MS,
): Promise<T> {
  const start = Date.now();
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    const containers = await read().catch(() => []);
    if (done) return;
    for (const line of waitLines(containers, Date.now() - start)) onLine(line);
    timer = setTimeout(tick, everyMs);
  };
  timer = setTimeout(tick, everyMs);
  try {
    return await wait();
  } finally {
    done = true;
    clearTimeout(timer);
  }
}
