import { spawn } from 'node:child_process';
import { composePassthrough } from '../../app/index.js';
import { openConfig } from '../../main/config.js';
import { childEnv } from '../../util/process.js';
import { parseCommand } from '../args.js';
import type { Io } from '../io.js';

/**
 * `switchyard compose -- ARGS…`: docker compose with the project's files and the
 * pin file, so a manual `up` runs the pinned digests instead of reverting to tags.
 */
export async function composeCommand(argv: string[], io: Io): Promise<void> {
  const { common, positionals } = parseCommand(argv, {}, Number.MAX_SAFE_INTEGER);
  const { config } = openConfig({ config: common.config, env: io.env, redactor: io.redactor });
  const run = composePassthrough(config, positionals);
  const child = spawn(run.command, run.args, { stdio: 'inherit', cwd: run.cwd, env: childEnv() });
  const code = await new Promise<number>((resolve) => {
    child.once('error', () => resolve(127));
    child.once('close', (c) => resolve(c ?? 1));
  });
  process.exitCode = code;
}
