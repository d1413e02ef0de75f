import type { Readable } from 'node:stream';
import type { ToolProcess } from '../util/process.js';
import type { PipedProcess } from '../util/namedPipe.js';

/** The PostgreSQL client programs switchyard runs. */
export type PgTool = 'pg_dump' | 'pg_restore' | 'psql';

/** A SQL connection that keeps its transaction between queries. */
export interface SqlSession {
  /** Runs one statement; resolves with the first column of the first row as text ('' when none). */
  query(sql: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Where the database is and how to reach it: host binaries with a URL, or a compose service's
 * container, reached with the host's binaries over its socket or with its own binaries. Connection
 * details travel in PG* environment variables, never in argv, so they never show up in `ps`.
 */
export interface DatabaseTarget {
  /** The application database. */
  readonly database: string;
  /** For logs and errors; never contains a secret. */
  readonly description: string;
  /**
   * Whether the client programs run on this host, so they can be given a path to a host file. Known
   * once reached: a service-mode target not yet reached says false.
   */
  readonly readsHostFiles: boolean;
  /**
   * This target bound to one way of reaching the database, for one operation: in service mode, the
   * container as it is now, with the host's client programs over its socket or its own programs
   * (serviceTarget.ts); in URL mode, the target itself. An operation that spawns several programs
   * reaches once first, so that they all run the same way and `readsHostFiles` is known.
   */
  reach(): Promise<DatabaseTarget>;
  /**
   * Starts a client program connected (by default) to `database`. `stdin`: true
   * for a pipe to write to, or a host child's stdout to read from (on the host a
   * kernel pipe between the two; into a container it is copied through here).
   */
  spawn(
    tool: PgTool,
    args: readonly string[],
    options?: { database?: string; stdin?: boolean | Readable },
  ): Promise<ToolProcess>;
  /**
   * `pg_dump` of `database` with `args`, its archive on the returned stdout however it travels:
   * through a named pipe where one can be made (this host's temp dir; the container's /tmp when this
   * host reaches it), else on pg_dump's own stdout.
   */
  dump(args: readonly string[]): Promise<DumpProcess>;
  session(database?: string): Promise<SqlSession>;
  /**
   * For client programs that do not read host files: a temp file in their own filesystem, written
   * from here, that they then open by name (an archive for `pg_restore -j`, which needs a file).
   * Service mode: in the container's /tmp, when this host reaches it. Null when there is none (and
   * in URL mode, whose programs read host files): archives are then streamed into them.
   */
  tempFile(): Promise<TempFile | null>;
}

/** A running pg_dump whose stdout is its archive (runIntoPipe: maybe through a named pipe, in pieces). */
export interface DumpProcess extends Omit<PipedProcess, 'throughPipe'> {
  /** How the archive travels to this process, for the backup's log line. */
  readonly via: string;
}

export interface TempFile {
  /** Where this process writes it. */
  readonly here: string;
  /** What the client programs are given. */
  readonly there: string;
  /** Its mode: readable by all when the programs run as another user (a container's), else owner-only. */
  readonly mode: number;
}

/** `use` on one session to the application database, closed whatever happens. */
export async function withSession<T>(target: DatabaseTarget, use: (s: SqlSession) => Promise<T>): Promise<T> {
  const session = await target.session();
  try {
    return await use(session);
  } finally {
    await session.close();
  }
}
