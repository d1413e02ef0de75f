import { parsePostgresUrl } from '../config/databaseUrl.js';
import { maskUrlSecrets } from '../util/redact.js';
import { hostClientTarget } from './hostClients.js';
import type { DatabaseTarget } from './target.js';

/** `database.url`: the host's own PostgreSQL client programs and node-postgres. */
export function urlTarget(url: string): DatabaseTarget {
  return hostClientTarget(parsePostgresUrl(url), maskUrlSecrets(url), {
    pipe: 'a pipe in the temp dir',
    stdout: "the host pg_dump's stdout",
  });
}
