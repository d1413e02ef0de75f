import { Hono } from 'hono';
import type { Context } from '../../context.js';
import { listVersions } from '../../versions/index.js';
import type { AuthVariables } from '../auth.js';

export function versionRoutes(ctx: Context) {
  return new Hono<{ Variables: AuthVariables }>().get('/versions', async (c) => {
    const currentSha = ctx.store.deployments.current()?.commit ?? null;
    return c.json(await listVersions(ctx, { currentSha }));
  });
}
