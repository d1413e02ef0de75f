import os from 'node:os';
import type { Runtime } from '../app/runtime.js';
import { createRuntime } from '../main/runtime.js';
import { configPath, loadConfig } from '../config/index.js';
import { describeRecovery } from '../deploy/recover.js';
import { createLogger } from '../util/log.js';
import type { Redactor } from '../util/redact.js';
import { terminalText } from '../util/terminalText.js';
import type { CommonOptions } from './args.js';

/** The terminal: each text becomes one or more lines with its control characters made visible (terminalText.ts). */
export interface Io {
  out(text: string): void;
  /** Progress, steps and errors, on stderr. */
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** The process's secrets, made once by main: the command's Runtime and the one-line error printer share it. */
  redactor: Redactor;
}

/** The audit actor for a command run by hand: the sudo user when there is one. */
export function cliActor(env: NodeJS.ProcessEnv): string {
  return `cli:${env.SUDO_USER || os.userInfo().username}`;
}

/**
 * Log lines go to stderr, and only with --verbose: by default stderr carries
 * just the one-line error, and stdout just the result.
 */
export function openContext(common: CommonOptions, io: Io): Runtime {
  const config = loadConfig(configPath(common.config, io.env), io.redactor);
  const log = createLogger({
    redactor: io.redactor,
    level: 'debug',
    write: common.verbose ? io.err : () => {},
  });
  return createRuntime(config, log, io.redactor, io.env);
}

/**
 * For commands that take the lock. Every operation first finishes or undoes whatever a crashed process left
 * unfinished (src/deploy/operation.ts), as the daemon does; here the user is told what that recovery did.
 */
export async function openOperationContext(common: CommonOptions, io: Io): Promise<Runtime> {
  const ctx = openContext(common, io);
  const recover = ctx.recoverOrphans;
  ctx.recoverOrphans = async () => {
    const report = await recover();
    for (const line of describeRecovery(report)) io.err(`recovered ${line}`);
    return report;
  };
  return ctx;
}

export { formatBytes } from '../util/format.js';

/** A plain aligned table for terminals. */
export function table(headers: string[], rows: string[][]): string {
  // A cell is one line: a newline or tab inside it (a release name, a subject) would break the columns.
  rows = rows.map((r) => r.map((c) => terminalText(c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
