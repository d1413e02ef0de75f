import { Hono } from 'hono';
import type { Switchyard } from '../../app/index.js';
import type { AuthVariables } from '../auth.js';

export function versionRoutes(switchyard: Switchyard) {
  return new Hono<{ Variables: AuthVariables }>().get('/versions', async (c) =>
    c.json(await switchyard.versions.list()),
  );
}
