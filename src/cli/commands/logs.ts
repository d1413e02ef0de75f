import { inputError } from '../../errors.js';
import { followLogs, parseTail, recentLogs } from '../../logs/containerLogs.js';
import { contextLogsPorts } from '../../app/ports/logs.js';
import { parseCommand } from '../args.js';
import { openContext, type Io } from '../io.js';

const USAGE = 'usage: switchyard logs SERVICE [--tail N] [--follow]';

/**
 * `switchyard logs SERVICE`: a compose service's container log, stdout and stderr together, with
 * the config's secrets masked. `--follow` keeps printing new lines until the container stops or
 * Ctrl-C (SIGINT/SIGTERM end the engine's stream, then the command exits 0).
 */
export async function logsCommand(argv: string[], io: Io): Promise<void> {
  const { common, values, positionals } = parseCommand(
    argv,
    { tail: { type: 'string', short: 'n' }, follow: { type: 'boolean', short: 'f' } },
    1,
  );
  const service = positionals[0];
  if (service === undefined) throw inputError(USAGE);
  const tail = parseTail(values.tail as string | undefined);
  const ctx = openContext(common, io);
  try {
    const ports = contextLogsPorts(ctx);
    if (!values.follow) {
      const { container, lines } = await recentLogs(ports, { service, tail });
      if (common.json) return io.out(JSON.stringify({ service, container, lines }));
      for (const line of lines) io.out(line);
      return;
    }
    const followed = await followLogs(ports, { service, tail });
    const stop = () => followed.close();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      for await (const line of followed.lines) io.out(common.json ? JSON.stringify({ line }) : line);
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  } finally {
    ctx.store.close();
  }
}
