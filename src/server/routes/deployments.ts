import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { DeploymentEvent, Switchyard } from '../../app/index.js';
import type { AuthVariables } from '../auth.js';
import { jsonBody } from '../body.js';

// The bodies' shapes only: the app parses the ref, the mode and the carry-over.
const deployBody = z.object({ ref: z.string().min(1).max(200) }).strict();
const rollbackBody = z
  .object({
    imagesOnly: z.boolean().optional(),
    databaseOnly: z.boolean().optional(),
    carryOver: z.string().optional(),
  })
  .strict();

const eventsOf = (id: number) => `/api/system/deployments/${id}/events`;

export function deploymentRoutes(switchyard: Switchyard) {
  const deployments = switchyard.deployments;
  return new Hono<{ Variables: AuthVariables }>()
    .get('/deployments', (c) => c.json({ deployments: deployments.list() }))
    .get('/plan', async (c) => {
      const ref = c.req.query('ref');
      return c.json({ plan: await deployments.deployPlan(ref) });
    })
    .get('/deployments/:id/rollback-plan', async (c) => {
      const plan = await deployments.rollbackPlan({ id: c.req.param('id'), mode: c.req.query('mode') });
      return c.json({ plan });
    })
    .post('/deployments', async (c) => {
      const { ref } = await jsonBody(c, deployBody);
      const started = await deployments.deploy(c.get('actor'), { ref });
      void started.done; // runs on; its outcome is in the journal
      return c.json({ id: started.id, status: 'running', events: eventsOf(started.id) }, 202);
    })
    .post('/deployments/:id/rollback', async (c) => {
      const id = c.req.param('id');
      deployments.get(id); // an unknown deployment is a 404 before its body is read
      const body = await jsonBody(c, rollbackBody);
      const started = await deployments.rollback(c.get('actor'), { id, ...body });
      void started.done;
      return c.json({ id: started.id, status: 'running', events: eventsOf(started.id) }, 202);
    })
    .get('/deployments/:id', (c) => c.json(deployments.detail(c.req.param('id'))))
    .get('/deployments/:id/events', (c) => {
      const id = c.req.param('id');
      deployments.get(id); // a 404 before the stream begins
      return streamSSE(c, async (stream) => {
        const aborted = new AbortController();
        stream.onAbort(() => aborted.abort());
        let n = 0;
        const send = (e: DeploymentEvent) =>
          stream.writeSSE({ event: e.type, data: JSON.stringify(e), id: String(++n) });
        for await (const event of deployments.follow(id, aborted.signal)) {
          if (event.type === 'keepalive') await stream.write(': keepalive\n\n');
          else if (event.type === 'replay') {
            for (const step of event.steps) await send({ type: 'step', step });
            for (const line of event.output) await send({ type: 'log', line });
          } else await send(event);
        }
      });
    })
    .get('/current-version', async (c) => c.json(await deployments.current()));
}
