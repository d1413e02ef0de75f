import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Config } from '../config/index.js';
import { execInContainer, findServiceContainer, type DockerClient } from '../docker/client.js';
import { containerTmp } from '../docker/containerTmp.js';
import { failed } from '../errors.js';
import { processIsAlive } from '../util/process.js';
import { removeOrphans, scratchName, type ScratchDir } from '../util/scratchDir.js';
import { dumpThroughPipe } from './dumpThroughPipe.js';
import { psqlSession, PSQL_SESSION_ARGS } from './psqlSession.js';
import type { DatabaseTarget, DumpProcess, PgTool, SqlSession, TempFile } from './target.js';

type ServiceDatabase = Extract<Config['database'], { mode: 'service' }>;

/**
 * `database.service`: the client programs inside the running container of that
 * compose service, so their version always matches the server. The container is
 * looked up on every use, since compose may have recreated it.
 *
 * Bulk data avoids the engine's exec stream when this host reaches the container's
 * /tmp (containerTmp.ts): pg_dump writes into a pipe there (namedPipe.ts) that this process reads,
 * and an archive to restore is staged there as a file. `findTmp` is that lookup;
 * tests pass one that finds nothing, to exercise the streams.
 */
export function serviceTarget(
  docker: DockerClient,
  projectName: () => Promise<string>,
  db: ServiceDatabase,
  findTmp: (containerId: string) => Promise<ScratchDir | null> = (id) => containerTmp(docker, id),
): DatabaseTarget {
  const password = db.passwordEnv ? process.env[db.passwordEnv] : undefined;
  if (db.passwordEnv && password === undefined) {
    throw failed(`database.passwordEnv names ${db.passwordEnv}, which is not set in the environment`);
  }
  const env = (database: string) => [
    `PGUSER=${db.user}`,
    `PGDATABASE=${database}`,
    ...(password !== undefined ? [`PGPASSWORD=${password}`] : []),
  ];
  const container = async () => findServiceContainer(docker, await projectName(), db.service);
  const exec = (id: string, cmd: readonly string[], options: { database?: string; stdin?: boolean } = {}) =>
    execInContainer(docker, id, cmd, { env: env(options.database ?? db.name), stdin: options.stdin });
  /** The container's /tmp, cleared of what a switchyard process that is gone left there. */
  const tmpOf = async (id: string) => {
    const tmp = await findTmp(id);
    if (tmp) await removeOrphans(tmp.here, processIsAlive);
    return tmp;
  };

  /** pg_dump writes its archive into a pipe in the container's /tmp, or else to stdout, through the engine. */
  const dump = async (args: readonly string[]): Promise<DumpProcess> => {
    const id = await container();
    return dumpThroughPipe(await tmpOf(id), 0o622, args, (all) => exec(id, ['pg_dump', ...all]), {
      pipe: "a pipe in the container's /tmp",
      stdout: "docker exec's stdout (slower)",
    });
  };

  const target: DatabaseTarget = {
    database: db.name,
    description: `database "${db.name}" in compose service "${db.service}"`,
    readsHostFiles: false,
    async spawn(tool: PgTool, args: readonly string[], options = {}) {
      // A source stream gets its reader now, before the first await: output of a child that exits unread is lost.
      const from =
        typeof options.stdin === 'object' ? options.stdin.pipe(new PassThrough({ highWaterMark: 1 << 20 })) : undefined;
      try {
        const proc = await exec(await container(), [tool, ...args], {
          database: options.database,
          stdin: Boolean(options.stdin),
        });
        // A failure shows in the exit codes; the source is closed so that its writer stops too.
        if (from) void pipeline(from, proc.stdin!).catch(() => (options.stdin as Readable).destroy());
        return from ? { ...proc, stdin: null } : proc;
      } catch (e) {
        from?.destroy();
        throw e;
      }
    },
    dump,
    async session(database = db.name): Promise<SqlSession> {
      const proc = await target.spawn('psql', PSQL_SESSION_ARGS, { database, stdin: true });
      const session = psqlSession(proc, `service ${db.service}`);
      await session.query('SELECT 1'); // surfaces a connection error here, not mid-backup
      return session;
    },
    async tempFile(): Promise<TempFile | null> {
      const tmp = await tmpOf(await container());
      if (!tmp) return null;
      const name = scratchName('dump');
      // Read by pg_restore as the container's user, whoever that is.
      return { here: path.join(tmp.here, name), there: path.posix.join(tmp.there, name), mode: 0o644 };
    },
  };
  return target;
}
