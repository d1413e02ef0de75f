import { Hono } from 'hono';
import type { Runtime } from '../../app/runtime.js';
import { listVersions } from '../../versions/index.js';
import type { AuthVariables } from '../auth.js';

export function versionRoutes(ctx: Runtime) {
  return new Hono<{ Variables: AuthVariables }>().get('/versions', async (c) => {
    const currentSha = ctx.store.deployments.current()?.commit ?? null;
    return c.json(await listVersions(ctx, { currentSha }));
  });
}
