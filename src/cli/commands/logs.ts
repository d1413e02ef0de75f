import { inputError } from '../../errors.js';
import { parseCommand } from '../args.js';
import { openApp, type Io } from '../io.js';

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
  const tail = values.tail as string | undefined;
  const app = openApp(common, io);
  if (!values.follow) {
    const { container, lines } = await app.logs.recent(service, tail);
    if (common.json) return io.out(JSON.stringify({ service, container, lines }));
    for (const line of lines) io.out(line);
    return;
  }
  const followed = await app.logs.follow(service, tail);
  const stop = () => followed.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    for await (const line of followed.lines) io.out(common.json ? JSON.stringify({ line }) : line);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
