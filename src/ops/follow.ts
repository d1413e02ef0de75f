import type { Deployment, DeploymentStep } from '../store/index.js';
import type { DeploymentEvent, DeploymentEvents } from './events.js';

/** What a follower reads: the store's journal of deployments, and this process's live events. */
export interface FollowSources {
  deployments: {
    get(id: number): Deployment | undefined;
    steps(id: number): DeploymentStep[];
    outputAfter(id: number, after: number): Array<{ seq: number; line: string }>;
  };
  events: Pick<DeploymentEvents, 'subscribe'>;
}

export interface FollowOptions {
  /** Ends the stream (the client went away). */
  signal?: AbortSignal;
  /** How often the journal is read when no live event comes (the operation runs in another process). */
  pollMs?: number;
  /** A quiet stream yields a keepalive this often, so proxies keep it open. */
  keepaliveMs?: number;
}

/** A follower sees the journal so far, then what happens, then the end. */
export type FollowEvent =
  | DeploymentEvent
  /** The journal as it was when following began: replayed first. */
  | { type: 'replay'; steps: DeploymentStep[]; output: string[] }
  | { type: 'keepalive' };

/**
 * One deployment from its journal to its end, for every face that watches one (the API's and the
 * UI's event streams). Subscribes to live events and reads the journal in the same synchronous
 * moment, so nothing falls between them or comes twice; when the operation runs in another process
 * (the CLI), no live event comes, so the journal is read again every `pollMs`. Ends after `done`.
 */
export async function* followDeployment(
  sources: FollowSources,
  id: number,
  options: FollowOptions = {},
): AsyncGenerator<FollowEvent, void, undefined> {
  const { deployments, events } = sources;
  const pollMs = options.pollMs ?? 1000;
  const keepaliveMs = options.keepaliveMs ?? 15_000;
  const queue: DeploymentEvent[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = events.subscribe(id, (e) => {
    queue.push(e);
    wake?.();
  });
  const onAbort = () => wake?.();
  options.signal?.addEventListener('abort', onAbort);

  const sent = new Set<string>();
  const fresh = (step: DeploymentStep) => {
    const key = `${step.seq}:${step.status}`;
    if (sent.has(key)) return false;
    sent.add(key);
    return true;
  };
  let lastLine = 0;
  const unreadOutput = () => {
    const lines = deployments.outputAfter(id, lastLine);
    if (lines.length) lastLine = lines.at(-1)!.seq;
    return lines.map((l) => l.line);
  };

  try {
    const steps = deployments.steps(id).filter(fresh);
    const output: string[] = [];
    for (let more = unreadOutput(); more.length; more = unreadOutput()) output.push(...more);
    const record = deployments.get(id);
    yield { type: 'replay', steps, output };
    if (record?.status !== 'running') {
      if (record) yield { type: 'done', deployment: record };
      return;
    }
    let quietSince = Date.now();
    while (!options.signal?.aborted) {
      const event = queue.shift();
      if (event) {
        quietSince = Date.now();
        if (event.type === 'step' && !fresh(event.step)) continue;
        if (event.type === 'log' && event.seq !== undefined) {
          if (event.seq <= lastLine) continue;
          lastLine = event.seq;
        }
        yield event;
        if (event.type === 'done') return;
        continue;
      }
      const woke = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      wake = undefined;
      if (woke) continue;
      // Nothing live: the operation may run in another process, whose progress only the journal shows.
      for (const step of deployments.steps(id).filter(fresh)) {
        quietSince = Date.now();
        yield { type: 'step', step };
      }
      for (const line of unreadOutput()) {
        quietSince = Date.now();
        yield { type: 'log', line };
      }
      const now = deployments.get(id);
      if (now && now.status !== 'running') {
        yield { type: 'done', deployment: now };
        return;
      }
      if (Date.now() - quietSince >= keepaliveMs) {
        quietSince = Date.now();
        yield { type: 'keepalive' };
      }
    }
  } finally {
    unsubscribe();
    options.signal?.removeEventListener('abort', onAbort);
  }
}
