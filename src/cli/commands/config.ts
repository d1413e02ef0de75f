import { openConfig } from '../../main/config.js';
import { parseCommand } from '../args.js';
import type { Io } from '../io.js';

/** Validates the config and prints it with every default filled in, its secrets masked as everywhere else. */
export async function configCommand(argv: string[], io: Io): Promise<void> {
  const { common } = parseCommand(argv, {}, 0);
  const { file, config } = openConfig({ config: common.config, env: io.env, redactor: io.redactor });
  const { redact } = io.redactor;
  io.out(common.json ? redact(JSON.stringify(config)) : `${file}: valid\n${redact(JSON.stringify(config, null, 2))}`);
}
