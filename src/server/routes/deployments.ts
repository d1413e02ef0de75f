import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { carryOverOf } from '../../carryover/report.js';
import type { Runtime } from '../../app/runtime.js';
import { currentStatus, followDeployment, planDeploy, planRollback, type DeploymentEvent } from '../../deploy/index.js';
import { startDeploy, startRollback } from '../../app/ports/deploy.js';
import { failureReportOf, failureReportsOf } from '../../deploy/failureReport.js';
import { inputError, notFound } from '../../errors.js';
import type { AuthVariables } from '../auth.js';
import { idParam, jsonBody } from '../body.js';

const deployBody = z.object({ ref: z.string().min(1).max(200) }).strict();
const rollbackMode = z.enum(['full', 'images-only', 'database-only']);
const rollbackBody = z
  .object({
    imagesOnly: z.boolean().optional(),
    databaseOnly: z.boolean().optional(),
    carryOver: z.enum(['inserts', 'none']).optional(),
  })
  .strict();

export function deploymentRoutes(ctx: Runtime) {
  const find = (raw: string) => {
    const id = idParam(raw, 'deployment id');
    const deployment = ctx.store.deployments.get(id);
    if (!deployment) throw notFound(`deployment ${id} does not exist`);
    return deployment;
  };

  return new Hono<{ Variables: AuthVariables }>()
    .get('/deployments', (c) => c.json({ deployments: ctx.store.deployments.list(100) }))
    .get('/plan', async (c) => {
      const ref = c.req.query('ref');
      if (!ref) throw inputError('give the version to plan as ?ref=REF');
      return c.json({ plan: await planDeploy(ctx, ref) });
    })
    .get('/deployments/:id/rollback-plan', async (c) => {
      const target = find(c.req.param('id'));
      const mode = rollbackMode.safeParse(c.req.query('mode') ?? 'full');
      if (!mode.success) throw inputError('mode must be full, images-only or database-only');
      return c.json({ plan: await planRollback(ctx, target, mode.data) });
    })
    .post('/deployments', async (c) => {
      const { ref } = await jsonBody(c, deployBody);
      const started = await startDeploy(ctx, { ref, actor: c.get('actor').name });
      void started.done; // runs on; its outcome is in the journal
      return c.json({ id: started.id, status: 'running', events: `/api/system/deployments/${started.id}/events` }, 202);
    })
    .post('/deployments/:id/rollback', async (c) => {
      const { id } = find(c.req.param('id'));
      const body = await jsonBody(c, rollbackBody);
      if (body.imagesOnly && body.databaseOnly) throw inputError('imagesOnly and databaseOnly exclude each other');
      const mode = body.imagesOnly ? 'images-only' : body.databaseOnly ? 'database-only' : 'full';
      const started = await startRollback(ctx, {
        deploymentId: id,
        mode,
        actor: c.get('actor').name,
        carryOver: body.carryOver,
      });
      void started.done;
      return c.json({ id: started.id, status: 'running', events: `/api/system/deployments/${started.id}/events` }, 202);
    })
    .get('/deployments/:id', (c) => {
      const deployment = find(c.req.param('id'));
      const steps = ctx.store.deployments.steps(deployment.id);
      // The failure report first: why it failed, with the failing containers' logs and health checks;
      // `failures` holds it and every later one (the automatic rollback's), in order.
      return c.json({
        failure: failureReportOf(steps),
        failures: failureReportsOf(steps),
        deployment,
        steps,
        carryOver: carryOverOf(steps),
        output: ctx.store.deployments.output(deployment.id),
      });
    })
    .get('/deployments/:id/events', (c) => {
      const { id } = find(c.req.param('id'));
      return streamSSE(c, async (stream) => {
        const aborted = new AbortController();
        stream.onAbort(() => aborted.abort());
        let n = 0;
        const send = (e: DeploymentEvent) =>
          stream.writeSSE({ event: e.type, data: JSON.stringify(e), id: String(++n) });
        const sources = { deployments: ctx.store.deployments, events: ctx.events };
        for await (const event of followDeployment(sources, id, { signal: aborted.signal })) {
          if (event.type === 'keepalive') await stream.write(': keepalive\n\n');
          else if (event.type === 'replay') {
            for (const step of event.steps) await send({ type: 'step', step });
            for (const line of event.output) await send({ type: 'log', line });
          } else await send(event);
        }
      });
    })
    .get('/current-version', async (c) => c.json(await currentStatus(ctx)));
}
