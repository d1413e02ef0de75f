import { maskUrlPasswords } from '../util/redact.js';
import { hostClientTarget, type HostConnection } from './hostClients.js';
import type { DatabaseTarget } from './target.js';

function parseUrl(url: string): HostConnection {
  const u = new URL(url);
  return {
    host: decodeURIComponent(u.hostname) || 'localhost',
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || 'postgres',
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database: decodeURIComponent(u.pathname.slice(1)),
    sslmode: u.searchParams.get('sslmode') ?? undefined,
  };
}

/** `database.url`: the host's own PostgreSQL client programs and node-postgres. */
export function urlTarget(url: string): DatabaseTarget {
  return hostClientTarget(parseUrl(url), maskUrlPasswords(url), {
    pipe: 'a pipe in the temp dir',
    stdout: "the host pg_dump's stdout",
  });
}
