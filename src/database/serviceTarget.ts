import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Config } from '../config/index.js';
import { execInContainer, findServiceContainer, type DockerClient } from '../docker/client.js';
import { failed } from '../errors.js';
import { psqlSession, PSQL_SESSION_ARGS } from './psqlSession.js';
import type { DatabaseTarget, PgTool, SqlSession } from './target.js';

type ServiceDatabase = Extract<Config['database'], { mode: 'service' }>;

/**
 * `database.service`: the client programs inside the running container of that
 * compose service, so their version always matches the server. The container is
 * looked up on every use, since compose may have recreated it.
 */
export function serviceTarget(
  docker: DockerClient,
  projectName: () => Promise<string>,
  db: ServiceDatabase,
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

  const target: DatabaseTarget = {
    database: db.name,
    description: `database "${db.name}" in compose service "${db.service}"`,
    readsHostFiles: false,
    async spawn(tool: PgTool, args: readonly string[], options = {}) {
      // A source stream gets its reader now, before the first await: output of a child that exits unread is lost.
      const from =
        typeof options.stdin === 'object' ? options.stdin.pipe(new PassThrough({ highWaterMark: 1 << 20 })) : undefined;
      try {
        const proc = await execInContainer(docker, await container(), [tool, ...args], {
          env: env(options.database ?? db.name),
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
    async session(database = db.name): Promise<SqlSession> {
      const proc = await target.spawn('psql', PSQL_SESSION_ARGS, { database, stdin: true });
      const session = psqlSession(proc, `service ${db.service}`);
      await session.query('SELECT 1'); // surfaces a connection error here, not mid-backup
      return session;
    },
  };
  return target;
}
