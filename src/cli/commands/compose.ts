import { spawn } from 'node:child_process';
import { configPath, loadConfig } from '../../config/index.js';
import { composeBaseArgs } from '../../compose/project.js';
import { childEnv } from '../../util/process.js';
import { parseCommand } from '../args.js';
import type { Io } from '../io.js';

/**
 * `switchyard compose -- ARGS…`: docker compose with the project's files and the
 * pin file, so a manual `up` runs the pinned digests instead of reverting to tags.
 */
export async function composeCommand(argv: string[], io: Io): Promise<void> {
  const { common, positionals } = parseCommand(argv, {}, Number.MAX_SAFE_INTEGER);
  const config = loadConfig(configPath(common.config, io.env), io.redactor);
  const child = spawn('docker', [...composeBaseArgs(config), ...positionals], {
    stdio: 'inherit',
    cwd: config.project.dir,
    env: childEnv(),
  });
  const code = await new Promise<number>((resolve) => {
    child.once('error', () => resolve(127));
    child.once('close', (c) => resolve(c ?? 1));
  });
  process.exitCode = code;
}
