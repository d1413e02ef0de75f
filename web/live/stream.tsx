import type { Context as HonoContext } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { DeploymentEvent } from '../../src/deploy/index.js';
import type { DeploymentStep } from '../../src/store/index.js';
import type { UiDeps } from '../deps.js';
import { PullItem, StepRow } from '../views/deployment.js';
import { markup } from '../views/render.js';

/** When no live event comes (the operation runs in another process, the CLI), the journal is read this often. */
const JOURNAL_POLL_MS = 1000;
/** A comment line this often keeps proxies from closing a quiet stream. */
const KEEPALIVE_EVERY = 15;

/**
 * The progress page's event stream, behind the UI session. Like the API's, it
 * replays the journal and then follows live events; it also sends the output
 * the UI kept (compose lines, pull progress), and sends rows as server-rendered
 * markup so the page's script stays tiny. Events: step, snapshot, progress, log, done.
 */
export function streamProgress(c: HonoContext, { ctx, output }: UiDeps, id: number) {
  return streamSSE(c, async (stream) => {
    const { deployments } = ctx.store;
    // One synchronous moment: kept output, live subscription and journal, so nothing falls between them or comes twice.
    output.watch(id);
    const kept = output.snapshot(id);
    const queue: DeploymentEvent[] = [];
    let wake: (() => void) | undefined;
    const unsubscribe = ctx.events.subscribe(id, (e) => {
      queue.push(e);
      wake?.();
    });
    stream.onAbort(() => wake?.());
    const journal = deployments.steps(id);
    let finished = deployments.get(id)?.status !== 'running';

    const sent = new Set<string>();
    const sendStep = async (step: DeploymentStep) => {
      const key = `${step.seq}:${step.status}`;
      if (sent.has(key)) return;
      sent.add(key);
      await send(stream, 'step', { seq: step.seq, name: step.name, status: step.status, html: await markup(<StepRow step={step} />) });
    };

    try {
      for (const step of journal) await sendStep(step);
      const pulls = await Promise.all(kept.pulls.map((pull) => markup(<PullItem pull={pull} />)));
      await send(stream, 'snapshot', { lines: kept.lines, pullsHtml: pulls.join('') });
      let quiet = 0;
      while (!finished && !stream.aborted) {
        const event = queue.shift();
        if (event) {
          if (event.type === 'step') await sendStep(event.step);
          else if (event.type === 'progress') await send(stream, 'progress', { image: event.image, html: await markup(<PullItem pull={event} />) });
          else if (event.type === 'log') await send(stream, 'log', { line: event.line });
          else finished = true;
          continue;
        }
        const woke = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), JOURNAL_POLL_MS);
          wake = () => {
            clearTimeout(timer);
            resolve(true);
          };
        });
        wake = undefined;
        if (woke) continue;
        for (const step of deployments.steps(id)) await sendStep(step);
        if (deployments.get(id)?.status !== 'running') finished = true;
        else if (++quiet % KEEPALIVE_EVERY === 0) await stream.write(': keepalive\n\n');
      }
      if (!stream.aborted) await send(stream, 'done', { status: deployments.get(id)?.status ?? 'unknown' });
    } finally {
      unsubscribe();
    }
  });
}

const send = (stream: SSEStreamingApi, event: string, data: unknown) => stream.writeSSE({ event, data: JSON.stringify(data) });
