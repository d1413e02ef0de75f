import type { Context as HonoContext } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { UiDeps } from '../deps.js';
import { PullItem, StepRow } from '../views/deployment.js';
import { markup } from '../views/render.js';
import { Facts } from '../views/progress.js';

/**
 * The progress page's event stream, behind the UI session: followDeployment (the same as the
 * API's stream) serialised for the page. Rows go as server-rendered markup so the page's script
 * stays tiny, and the replay comes with the output the UI kept (compose lines, pull progress).
 * Events: step, snapshot, progress, log, done.
 */
export function streamProgress(c: HonoContext, { app, output }: UiDeps, id: number) {
  return streamSSE(c, async (stream) => {
    const aborted = new AbortController();
    stream.onAbort(() => aborted.abort());
    output.watch(id);
    const tags = await app.deployments.tagNames();
    for await (const event of app.deployments.follow(id, aborted.signal)) {
      switch (event.type) {
        case 'replay': {
          const kept = output.snapshot(id); // before any await: live lines after it come as log events
          for (const step of event.steps) await sendStep(step);
          const pulls = await Promise.all(kept.pulls.map((pull) => markup(<PullItem pull={pull} />)));
          await send(stream, 'snapshot', { lines: kept.lines, pullsHtml: pulls.join('') });
          break;
        }
        case 'step':
          await sendStep(event.step);
          break;
        case 'progress':
          await send(stream, 'progress', { image: event.image, html: await markup(<PullItem pull={event} />) });
          break;
        case 'log':
          await send(stream, 'log', { line: event.line });
          break;
        case 'keepalive':
          await stream.write(': keepalive\n\n');
          break;
        case 'done':
          await send(stream, 'done', { status: event.deployment.status });
          break;
      }
    }

    async function sendStep(step: Parameters<typeof StepRow>[0]['step']) {
      await send(stream, 'step', {
        seq: step.seq,
        name: step.name,
        status: step.status,
        html: await markup(<StepRow step={step} />),
      });
      // The summary (commit, images, backup) fills in as steps end: send it again so it never lags the steps.
      const record = step.status !== 'running' ? app.deployments.get(id) : undefined;
      if (record) await send(stream, 'facts', { html: await markup(<Facts d={record} tags={tags} />) });
    }
  });
}

const send = (stream: SSEStreamingApi, event: string, data: unknown) =>
  stream.writeSSE({ event, data: JSON.stringify(data) });
