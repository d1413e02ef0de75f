import fs from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Config } from '../config/index.js';
import { execInContainer, findServiceContainer, type DockerClient } from '../docker/client.js';
import { containerRoot, containerTmp, resolveInRoot } from '../docker/containerRoot.js';
import { failed, oneLine } from '../errors.js';
import { processIsAlive, type ToolProcess } from '../util/process.js';
import { removeOrphans, scratchName } from '../util/scratchDir.js';
import {
  CONTAINER_SOCKET_DIRS,
  DEFAULT_PORT,
  HOST_CLIENTS,
  type HostClient,
  hostClientsMismatch,
} from './clientRoute.js';
import { dumpThroughPipe, intoPipeByPath } from './dumpThroughPipe.js';
import type { HostConnection } from '../config/databaseUrl.js';
import { hostClientTarget, hostSession } from './hostClients.js';
import { toolMajor } from './hostTools.js';
import { serverMajor } from './inspect.js';
import { psqlSession, PSQL_SESSION_ARGS } from './psqlSession.js';
import type { DatabaseTarget, DumpProcess, PgTool, SqlSession, TempFile } from './target.js';

type ServiceDatabase = Extract<Config['database'], { mode: 'service' }>;
type SpawnOptions = { database?: string; stdin?: boolean | Readable };

/**
 * `database.service`: the running container of that compose service, looked up anew by every
 * `reach()` (compose may have recreated it), and reached one of two ways:
 *   - this host's client programs over the container's unix socket (`/proc/<pid>/root/...`), when
 *     they are of the server's major version (clientRoute.ts) and the connection works: the archive
 *     then goes through host pipes and files as in URL mode (restoreStreams.ts);
 *   - else the client programs inside the container, through the engine's exec; bulk data then goes
 *     through the container's /tmp when this host reaches it (a pipe pg_dump writes into, an
 *     archive staged for pg_restore), or else through the exec stream.
 * `database.clientPrograms: container` keeps to the second. `findRoot` is how the container's root
 * is found; tests pass one that finds nothing, as with an engine on another host.
 */
export function serviceTarget(
  docker: DockerClient,
  projectName: () => Promise<string>,
  db: ServiceDatabase,
  findRoot: (containerId: string) => Promise<string | null> = (id) => containerRoot(docker, id),
): DatabaseTarget {
  const password = db.passwordEnv ? process.env[db.passwordEnv] : undefined;
  if (db.passwordEnv && password === undefined) {
    throw failed(`database.passwordEnv names ${db.passwordEnv}, which is not set in the environment`);
  }
  const description = `database "${db.name}" in compose service "${db.service}"`;

  async function reach(): Promise<DatabaseTarget> {
    const id = await findServiceContainer(docker, await projectName(), db.service);
    const root = await findRoot(id);
    const inContainer = (why: string) =>
      containerClients(docker, id, root, db, password, `${description} (client programs in the container: ${why})`);
    if (db.clientPrograms === 'container') return inContainer('database.clientPrograms is "container"');
    if (!root) return inContainer("this host cannot see into the container's filesystem");
    const socketDir = await findSocketDir(root);
    if (!socketDir) return inContainer(`no PostgreSQL socket in ${CONTAINER_SOCKET_DIRS.join(' or ')}`);
    const conn: HostConnection = {
      host: socketDir,
      port: DEFAULT_PORT,
      user: db.user,
      password,
      database: db.name,
      sslmode: undefined,
    };
    const [server, majors] = await Promise.all([
      serverMajorOver(conn),
      Promise.all(HOST_CLIENTS.map(async (tool) => [tool, await toolMajor(tool)] as const)),
    ]);
    if (typeof server === 'string') return inContainer(server);
    const mismatch = hostClientsMismatch(Object.fromEntries(majors) as Record<HostClient, number | null>, server);
    if (mismatch) return inContainer(mismatch);
    return hostClientTarget(conn, `${description} (this host's client programs, over its socket)`, {
      pipe: "a pipe in the temp dir, from this host's pg_dump over the container's socket",
      stdout: "this host's pg_dump's stdout, over the container's socket",
    });
  }

  return {
    database: db.name,
    description,
    readsHostFiles: false, // not known until reached
    reach,
    spawn: (tool, args, options = {}) =>
      withSourceRead(options, async (stdin) => (await reach()).spawn(tool, args, { ...options, stdin })),
    dump: async (args) => (await reach()).dump(args),
    session: async (database) => (await reach()).session(database),
    tempFile: async () => (await reach()).tempFile(),
  };
}

/** The server's socket dir under the container's root (as `docker exec` would find it), or null. */
async function findSocketDir(root: string): Promise<string | null> {
  for (const dir of CONTAINER_SOCKET_DIRS) {
    const here = await resolveInRoot(root, dir);
    const socket = here ? await fs.lstat(path.join(here, `.s.PGSQL.${DEFAULT_PORT}`)).catch(() => null) : null;
    if (socket?.isSocket()) return here;
  }
  return null;
}

/** The server's major version over `conn`, or why it could not be asked ("cannot connect to its socket: …"). */
async function serverMajorOver(conn: HostConnection): Promise<number | string> {
  try {
    const session = await hostSession(conn, conn.database, 'its socket');
    try {
      return await serverMajor(session);
    } finally {
      await session.close();
    }
  } catch (e) {
    return oneLine(e);
  }
}

/**
 * A source stream (another child's stdout) gets its reader now, before the first await: the output
 * of a child that exits unread is lost. It is then copied into the started program's stdin.
 */
async function withSourceRead(
  options: SpawnOptions,
  start: (stdin: boolean) => Promise<ToolProcess>,
): Promise<ToolProcess> {
  const source = typeof options.stdin === 'object' ? options.stdin : undefined;
  const from = source?.pipe(new PassThrough({ highWaterMark: 1 << 20 }));
  try {
    const proc = await start(Boolean(options.stdin));
    // A failure shows in the exit codes; the source is closed so that its writer stops too.
    if (from) void pipeline(from, proc.stdin!).catch(() => source!.destroy());
    return from ? { ...proc, stdin: null } : proc;
  } catch (e) {
    from?.destroy();
    throw e;
  }
}

/** The client programs inside container `id`, through the engine's exec; `root` is its root as seen from here. */
function containerClients(
  docker: DockerClient,
  id: string,
  root: string | null,
  db: ServiceDatabase,
  password: string | undefined,
  description: string,
): DatabaseTarget {
  const env = (database: string) => [
    `PGUSER=${db.user}`,
    `PGDATABASE=${database}`,
    ...(password !== undefined ? [`PGPASSWORD=${password}`] : []),
  ];
  const exec = (cmd: readonly string[], options: { database?: string; stdin?: boolean } = {}) =>
    execInContainer(docker, id, cmd, { env: env(options.database ?? db.name), stdin: options.stdin });
  /** The container's /tmp, cleared of what a switchyard process that is gone left there. */
  const tmp = async () => {
    const found = root ? await containerTmp(root) : null;
    if (found) await removeOrphans(found.here, processIsAlive);
    return found;
  };
  const target: DatabaseTarget = {
    database: db.name,
    description,
    readsHostFiles: false,
    reach: async () => target,
    spawn: (tool: PgTool, args: readonly string[], options: SpawnOptions = {}) =>
      withSourceRead(options, (stdin) => exec([tool, ...args], { database: options.database, stdin })),
    /** pg_dump writes its archive into a pipe in the container's /tmp, or else to stdout, through the engine. */
    async dump(args: readonly string[]): Promise<DumpProcess> {
      return dumpThroughPipe(await tmp(), 0o622, async (pipe) => exec(['pg_dump', ...intoPipeByPath(args, pipe)]), {
        pipe: "a pipe in the container's /tmp",
        stdout: "docker exec's stdout (slower)",
      });
    },
    async session(database = db.name): Promise<SqlSession> {
      const proc = await target.spawn('psql', PSQL_SESSION_ARGS, { database, stdin: true });
      const session = psqlSession(proc, `service ${db.service}`);
      await session.query('SELECT 1'); // surfaces a connection error here, not mid-backup
      return session;
    },
    async tempFile(): Promise<TempFile | null> {
      const found = await tmp();
      if (!found) return null;
      const name = scratchName('dump');
      // Read by pg_restore as the container's user, whoever that is.
      return { here: path.join(found.here, name), there: path.posix.join(found.there, name), mode: 0o644 };
    },
  };
  return target;
}
