import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { currentStatus, startDeploy, startRollback, type DeploymentEvent } from '../../deploy/index.js';
import { failureReportOf } from '../../deploy/failureReport.js';
import { inputError, notFound } from '../../errors.js';
import type { AuthVariables } from '../auth.js';
import { idParam, jsonBody } from '../body.js';

const deployBody = z.object({ ref: z.string().min(1).max(200) }).strict();
const rollbackBody = z.object({ imagesOnly: z.boolean().optional(), databaseOnly: z.boolean().optional() }).strict();

export function deploymentRoutes(ctx: Context) {
  const find = (raw: string) => {
    const id = idParam(raw, 'deployment id');
    const deployment = ctx.store.deployments.get(id);
    if (!deployment) throw notFound(`deployment ${id} does not exist`);
    return deployment;
  };

  return new Hono<{ Variables: AuthVariables }>()
    .get('/deployments', (c) => c.json({ deployments: ctx.store.deployments.list(100) }))
    .post('/deployments', async (c) => {
      const { ref } = await jsonBody(c, deployBody);
      const started = await startDeploy(ctx, { ref, actor: c.get('actor') });
      void started.done; // runs on; its outcome is in the journal
      return c.json({ id: started.id, status: 'running', events: `/api/system/deployments/${started.id}/events` }, 202);
    })
    .post('/deployments/:id/rollback', async (c) => {
      const { id } = find(c.req.param('id'));
      const body = await jsonBody(c, rollbackBody);
      if (body.imagesOnly && body.databaseOnly) throw inputError('imagesOnly and databaseOnly exclude each other');
      const mode = body.imagesOnly ? 'images-only' : body.databaseOnly ? 'database-only' : 'full';
      const started = await startRollback(ctx, { deploymentId: id, mode, actor: c.get('actor') });
      void started.done;
      return c.json({ id: started.id, status: 'running', events: `/api/system/deployments/${started.id}/events` }, 202);
    })
    .get('/deployments/:id', (c) => {
      const deployment = find(c.req.param('id'));
      const steps = ctx.store.deployments.steps(deployment.id);
      // The failure report first: why it failed, with the failing containers' logs and health checks.
      return c.json({ failure: failureReportOf(steps), deployment, steps, output: ctx.store.deployments.output(deployment.id) });
    })
    .get('/deployments/:id/events', (c) => {
      const { id } = find(c.req.param('id'));
      return streamSSE(c, async (stream) => {
        // Subscribe before reading the journal, so nothing falls between the two.
        const live: DeploymentEvent[] = [];
        let wake: (() => void) | undefined;
        const unsubscribe = ctx.events.subscribe(id, (e) => {
          live.push(e);
          wake?.();
        });
        stream.onAbort(() => {
          unsubscribe();
          wake?.();
        });
        let n = 0;
        const send = (e: DeploymentEvent) => stream.writeSSE({ event: e.type, data: JSON.stringify(e), id: String(++n) });
        const seen = new Set<string>();
        for (const step of ctx.store.deployments.steps(id)) {
          seen.add(`${step.seq}:${step.status}`);
          await send({ type: 'step', step });
        }
        const record = ctx.store.deployments.get(id)!;
        if (record.status !== 'running') {
          for (const line of ctx.store.deployments.output(id)) await send({ type: 'log', line });
          await send({ type: 'done', deployment: record });
          unsubscribe();
          return;
        }
        while (!stream.aborted) {
          const event = live.shift();
          if (!event) {
            await new Promise<void>((r) => (wake = r));
            wake = undefined;
            continue;
          }
          if (event.type === 'step') {
            const key = `${event.step.seq}:${event.step.status}`;
            if (seen.has(key)) continue;
            seen.add(key);
          }
          await send(event);
          if (event.type === 'done') break;
        }
        unsubscribe();
      });
    })
    .get('/current-version', async (c) => c.json(await currentStatus(ctx)));
}
