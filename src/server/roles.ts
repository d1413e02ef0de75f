import { ACTION_ROLES, type Action, type Role } from '../app/index.js';

/**
 * What each route does, API and UI alike, as an action of the one role table (src/domain/roles.ts): the app
 * checks the same action when the command runs; this table answers early (401/403, hidden links). The API's auth and the UI's guard
 * both look the request up here; a route missing from it is unreachable (404), and
 * test/server/roles.test.ts walks the app's routes to make sure none is missing.
 */
export const ROUTE_ACTIONS: Record<string, Action | 'public'> = {
  'GET /api/health': 'public',
  'GET /api/system/backups': 'read',
  'POST /api/system/backups/create': 'back up',
  'GET /api/system/backups/:id': 'read',
  'GET /api/system/backups/:id/download': 'read backup data',
  'POST /api/system/drills': 'back up',
  'GET /api/system/audit': 'read',
  'GET /api/system/deployments': 'read',
  'POST /api/system/deployments': 'deploy',
  'POST /api/system/deployments/:id/rollback': 'deploy',
  'GET /api/system/deployments/:id': 'read',
  'GET /api/system/deployments/:id/events': 'read',
  'GET /api/system/deployments/:id/rollback-plan': 'read',
  'GET /api/system/plan': 'read',
  'GET /api/system/current-version': 'read',
  'GET /api/system/versions': 'read',
  'GET /api/system/whoami': 'read',
  'GET /api/system/users': 'manage users',
  'POST /api/system/users': 'manage users',
  'PUT /api/system/users/:name/role': 'manage users',
  'DELETE /api/system/users/:name': 'manage users',
  'GET /api/system/services/:service/logs': 'read',

  'GET /assets/:name': 'public',
  'GET /login': 'public',
  'POST /login': 'public',
  'POST /logout': 'read',
  'GET /': 'read',
  'GET /versions': 'read',
  'GET /deploy': 'deploy',
  'POST /deploy': 'deploy',
  'GET /history': 'read',
  'GET /deployments/:id': 'read',
  'GET /deployments/:id/events': 'read',
  // Rows residents wrote, as a backup holds them: the same role as a backup's download.
  'GET /deployments/:id/leftovers': 'read backup data',
  'GET /deployments/:id/rollback': 'deploy',
  'POST /deployments/:id/rollback': 'deploy',
  'GET /backups': 'read',
  'POST /backups': 'back up',
  'GET /backups/:id': 'read',
  'POST /backups/:id/drill': 'back up',
  'GET /backups/:id/download': 'read backup data',
  'GET /audit': 'read',
  'GET /logs': 'read',
  'GET /logs/:service': 'read',
  'GET /logs/:service/events': 'read',
  'GET /users': 'manage users',
  'POST /users': 'manage users',
  'POST /users/:name/role': 'manage users',
  'POST /users/:name/remove': 'manage users',
};

const compiled = Object.entries(ROUTE_ACTIONS).map(([key, action]) => {
  const [method, pattern] = key.split(' ') as [string, string];
  const source = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+');
  return { method, matches: new RegExp(`^${source}/?$`), role: action === 'public' ? action : ACTION_ROLES[action] };
});

/** The role a request needs, or undefined when no declared route matches it. HEAD is a GET. */
export function requiredRole(method: string, path: string): Role | 'public' | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  return compiled.find((r) => r.method === m && r.matches.test(path))?.role;
}

/** Whether some declared route has this path under another method (405 rather than 404). */
export const isDeclaredPath = (path: string): boolean => compiled.some((r) => r.matches.test(path));
