import type { Role } from '../domain/roles.js';

/**
 * The one table of what each route needs, API and UI alike. The API's auth and the UI's guard
 * both look the request up here; a route missing from it is unreachable (404), and
 * test/server/roles.test.ts walks the app's routes to make sure none is missing.
 */
export const ROUTE_ROLES: Record<string, Role | 'public'> = {
  'GET /api/health': 'public',
  'GET /api/system/backups': 'viewer',
  'POST /api/system/backups/create': 'operator',
  'GET /api/system/backups/:id': 'viewer',
  'GET /api/system/backups/:id/download': 'operator',
  'POST /api/system/drills': 'operator',
  'GET /api/system/audit': 'viewer',
  'GET /api/system/deployments': 'viewer',
  'POST /api/system/deployments': 'operator',
  'POST /api/system/deployments/:id/rollback': 'operator',
  'GET /api/system/deployments/:id': 'viewer',
  'GET /api/system/deployments/:id/events': 'viewer',
  'GET /api/system/deployments/:id/rollback-plan': 'viewer',
  'GET /api/system/plan': 'viewer',
  'GET /api/system/current-version': 'viewer',
  'GET /api/system/versions': 'viewer',
  'GET /api/system/whoami': 'viewer',
  'GET /api/system/users': 'admin',
  'POST /api/system/users': 'admin',
  'PUT /api/system/users/:name/role': 'admin',
  'DELETE /api/system/users/:name': 'admin',
  'GET /api/system/services/:service/logs': 'viewer',

  'GET /assets/:name': 'public',
  'GET /login': 'public',
  'POST /login': 'public',
  'POST /logout': 'viewer',
  'GET /': 'viewer',
  'GET /versions': 'viewer',
  'GET /deploy': 'operator',
  'POST /deploy': 'operator',
  'GET /history': 'viewer',
  'GET /deployments/:id': 'viewer',
  'GET /deployments/:id/events': 'viewer',
  // Rows residents wrote, as a backup holds them: the same role as a backup's download.
  'GET /deployments/:id/leftovers': 'operator',
  'GET /deployments/:id/rollback': 'operator',
  'POST /deployments/:id/rollback': 'operator',
  'GET /backups': 'viewer',
  'POST /backups': 'operator',
  'GET /backups/:id': 'viewer',
  'POST /backups/:id/drill': 'operator',
  'GET /backups/:id/download': 'operator',
  'GET /audit': 'viewer',
  'GET /logs': 'viewer',
  'GET /logs/:service': 'viewer',
  'GET /logs/:service/events': 'viewer',
  'GET /users': 'admin',
  'POST /users': 'admin',
  'POST /users/:name/role': 'admin',
  'POST /users/:name/remove': 'admin',
};

const compiled = Object.entries(ROUTE_ROLES).map(([key, role]) => {
  const [method, pattern] = key.split(' ') as [string, string];
  const source = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+');
  return { method, matches: new RegExp(`^${source}/?$`), role };
});

/** The role a request needs, or undefined when no declared route matches it. HEAD is a GET. */
export function requiredRole(method: string, path: string): Role | 'public' | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  return compiled.find((r) => r.method === m && r.matches.test(path))?.role;
}

/** Whether some declared route has this path under another method (405 rather than 404). */
export const isDeclaredPath = (path: string): boolean => compiled.some((r) => r.matches.test(path));
