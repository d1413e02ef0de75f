import pg from 'pg';
import { failed } from '../errors.js';
import { maskUrlPasswords } from '../util/redact.js';
import { processIsAlive, spawnHost } from '../util/process.js';
import { hostScratch, removeOrphans } from '../util/scratchDir.js';
import { dumpThroughPipe } from './dumpThroughPipe.js';
import type { DatabaseTarget, PgTool, SqlSession } from './target.js';

interface Connection {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  database: string;
  sslmode: string | undefined;
}

function parseUrl(url: string): Connection {
  const u = new URL(url);
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  return {
    host: decodeURIComponent(u.hostname) || 'localhost',
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || 'postgres',
    password,
    database: decodeURIComponent(u.pathname.slice(1)),
    sslmode: u.searchParams.get('sslmode') ?? undefined,
  };
}

/** `database.url`: the host's own PostgreSQL client programs and node-postgres. */
export function urlTarget(url: string): DatabaseTarget {
  const conn = parseUrl(url);
  const env = (database: string) => ({
    PGHOST: conn.host,
    PGPORT: String(conn.port),
    PGUSER: conn.user,
    PGDATABASE: database,
    ...(conn.password !== undefined ? { PGPASSWORD: conn.password } : {}),
    ...(conn.sslmode ? { PGSSLMODE: conn.sslmode } : {}),
  });
  return {
    database: conn.database,
    description: maskUrlPasswords(url),
    readsHostFiles: true,
    tempFile: async () => null,
    async spawn(tool: PgTool, args: readonly string[], options = {}) {
      return spawnHost(tool, args, { env: env(options.database ?? conn.database), stdin: options.stdin });
    },
    /** Through a pipe in this host's temp dir (namedPipe.ts: read without an allocation per read), or else stdout. */
    async dump(args: readonly string[]) {
      const scratch = hostScratch();
      await removeOrphans(scratch.here, processIsAlive);
      const start = async (all: readonly string[]) => spawnHost('pg_dump', all, { env: env(conn.database) });
      return dumpThroughPipe(scratch, 0o600, args, start, {
        pipe: 'a pipe in the temp dir',
        stdout: "the host pg_dump's stdout",
      });
    },
    async session(database = conn.database): Promise<SqlSession> {
      const client = new pg.Client({
        host: conn.host,
        port: conn.port,
        user: conn.user,
        password: conn.password,
        database,
        ssl:
          conn.sslmode && conn.sslmode !== 'disable'
            ? { rejectUnauthorized: conn.sslmode === 'verify-full' }
            : undefined,
      });
      client.on('error', () => {
        /* surfaced by the next query */
      });
      try {
        await client.connect();
      } catch (e) {
        throw failed(`cannot connect to ${maskUrlPasswords(url)}: ${maskUrlPasswords((e as Error).message)}`, e);
      }
      return {
        async query(sql: string) {
          try {
            const result = await client.query({ text: sql, rowMode: 'array' });
            const last = Array.isArray(result) ? result[result.length - 1] : result;
            const value = (last?.rows?.[0] as unknown[] | undefined)?.[0];
            return value === undefined || value === null
              ? ''
              : typeof value === 'string'
                ? value
                : JSON.stringify(value);
          } catch (e) {
            throw failed(`query failed on ${database}: ${maskUrlPasswords((e as Error).message)}`, e);
          }
        },
        close: () => client.end().catch(() => undefined),
      };
    },
  };
}
