import type { Context as HonoContext } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { DeploymentEvent } from '../../src/deploy/index.js';
import type { DeploymentStep } from '../../src/store/index.js';
import type { UiDeps } from '../deps.js';
import { PullItem, StepRow } from '../views/deployment.js';
import { markup } from '../views/render.js';
import { Facts } from '../views/progress.js';
import { readTagNames } from '../../src/versions/naming.js';

/** When no live event comes (the operation runs in another process, the CLI), the journal is read this often. */
const JOURNAL_POLL_MS = 1000;
/** The journal keeps at most this many output lines per operation (src/deploy/journal.ts). */
const JOURNAL_LINES = 2000;
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
    const tags = await readTagNames(ctx.config.project.dir);
    let finished = deployments.get(id)?.status !== 'running';

    const sent = new Set<string>();
    const sendStep = async (step: DeploymentStep) => {
      const key = `${step.seq}:${step.status}`;
      if (sent.has(key)) return;
      sent.add(key);
      await send(stream, 'step', { seq: step.seq, name: step.name, status: step.status, html: await markup(<StepRow step={step} />) });
      // The summary (commit, images, backup) fills in as steps end: send it again so it never lags the steps.
      const record = step.status !== 'running' ? deployments.get(id) : undefined;
      if (record) await send(stream, 'facts', { html: await markup(<Facts d={record} tags={tags} />) });
    };

    try {
      for (const step of journal) await sendStep(step);
      const pulls = await Promise.all(kept.pulls.map((pull) => markup(<PullItem pull={pull} />)));
      await send(stream, 'snapshot', { lines: kept.lines, pullsHtml: pulls.join('') });
      let quiet = 0;
      // An operation of another process (the CLI) sends no live events: its compose output is read from the journal.
      let liveSeen = false;
      let journalLines = deployments.output(id, JOURNAL_LINES).length;
      while (!finished && !stream.aborted) {
        const event = queue.shift();
        if (event) {
          liveSeen = true;
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
        if (!liveSeen) {
          const lines = deployments.output(id, JOURNAL_LINES);
          for (const line of lines.slice(journalLines)) await send(stream, 'log', { line });
          journalLines = lines.length;
        }
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
