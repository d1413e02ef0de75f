import { failed } from '../errors.js';
import { maskUrlSecrets } from '../util/redact.js';
import { processIsAlive, spawnHost } from '../util/process.js';
import { hostScratch, removeOrphans } from '../util/scratchDir.js';
import { dumpThroughPipe } from './dumpThroughPipe.js';
import { withLargeWrites } from './largeWrites.js';
import type { HostConnection } from '../config/databaseUrl.js';
import type { NamedPipe } from '../util/namedPipe.js';
import type { DatabaseTarget, PgTool, SqlSession } from './target.js';

/**
 * The host's own PostgreSQL client programs and node-postgres, connected as `conn` says: URL mode's
 * way, and service mode's when the host's programs match the server (serviceTarget.ts).
 * `description` is for logs and must hold no secret; `via` names how a dump's archive travels.
 */
export function hostClientTarget(
  conn: HostConnection,
  description: string,
  via: { pipe: string; stdout: string },
): DatabaseTarget {
  const env = (database: string) => ({
    PGHOST: conn.host,
    PGPORT: String(conn.port),
    PGUSER: conn.user,
    PGDATABASE: database,
    ...(conn.password !== undefined ? { PGPASSWORD: conn.password } : {}),
    ...(conn.sslmode ? { PGSSLMODE: conn.sslmode } : {}),
  });
  const target: DatabaseTarget = {
    database: conn.database,
    description,
    readsHostFiles: true,
    reach: async () => target,
    tempFile: async () => null,
    async spawn(tool: PgTool, args: readonly string[], options = {}) {
      return spawnHost(tool, args, { env: env(options.database ?? conn.database), stdin: options.stdin });
    },
    /**
     * pg_dump's stdout is a pipe in this host's temp dir (namedPipe.ts: read without an allocation per read), or else
     * a pipe to this process; either way written in large pieces (largeWrites.ts).
     */
    async dump(args: readonly string[]) {
      const scratch = hostScratch();
      await removeOrphans(scratch.here, processIsAlive);
      // Its stdout, not --file, so that stdbuf can set how it writes (largeWrites.ts).
      const { command, note } = withLargeWrites(['pg_dump', ...args]);
      const start = async (pipe: NamedPipe | null) =>
        spawnHost(command[0]!, command.slice(1), { env: env(conn.database), stdout: pipe?.writeEnd() });
      return dumpThroughPipe(scratch, 0o600, start, { pipe: `${via.pipe}, ${note}`, stdout: `${via.stdout}, ${note}` });
    },
    session: (database = conn.database) => hostSession(conn, database, description),
  };
  return target;
}

/**
 * A node-postgres session; its errors name `description`, never the password. node-postgres (~15 MB) is
 * imported at a process's first session: the daemon does not hold it until it takes a backup.
 */
export async function hostSession(conn: HostConnection, database: string, description: string): Promise<SqlSession> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    host: conn.host,
    port: conn.port,
    user: conn.user,
    password: conn.password,
    database,
    connectionTimeoutMillis: 30_000,
    ssl:
      conn.sslmode && conn.sslmode !== 'disable' ? { rejectUnauthorized: conn.sslmode === 'verify-full' } : undefined,
  });
  client.on('error', () => {
    /* surfaced by the next query */
  });
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw failed(`cannot connect to ${description}: ${maskUrlSecrets((e as Error).message)}`, e);
  }
  return {
    async query(sql: string) {
      try {
        const result = await client.query({ text: sql, rowMode: 'array' });
        const last = Array.isArray(result) ? result[result.length - 1] : result;
        const value = (last?.rows?.[0] as unknown[] | undefined)?.[0];
        return value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
      } catch (e) {
        throw failed(`query failed on ${database}: ${maskUrlSecrets((e as Error).message)}`, e);
      }
    },
    close: () => client.end().catch(() => undefined),
  };
}
