import os from 'node:os';
import type { Actor, Switchyard } from '../app/index.js';
import { type OpenOptions, openSwitchyard } from '../main/open.js';
import type { Redactor } from '../util/redact.js';
import { terminalText } from '../util/terminalText.js';
import type { CommonOptions } from './args.js';
import { closeAtEnd } from './closing.js';

/** The terminal: each text becomes one or more lines with its control characters made visible (terminalText.ts). */
export interface Io {
  out(text: string): void;
  /** Progress, steps and errors, on stderr. */
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** The process's secrets, made once by main: the command's Runtime and the one-line error printer share it. */
  redactor: Redactor;
}

/**
 * Who runs a command by hand: the sudo user when there is one. An admin, since whoever runs the CLI can read the
 * state dir and the config's secrets anyway.
 */
export function cliActor(env: NodeJS.ProcessEnv): Actor {
  return { name: `cli:${env.SUDO_USER || os.userInfo().username}`, role: 'admin' };
}

/**
 * Log lines go to stderr, and only with --verbose: by default stderr carries
 * just the one-line error, and stdout just the result.
 */
function openOptions(common: CommonOptions, io: Io, recovered?: (line: string) => void): OpenOptions {
  return {
    config: common.config,
    env: io.env,
    redactor: io.redactor,
    writeLog: common.verbose ? io.err : () => {},
    recovered,
  };
}

/** The app for a command. An operation first finishes or undoes what a crashed process left, and says so here. */
export function openApp(common: CommonOptions, io: Io): Switchyard {
  const app = openSwitchyard(openOptions(common, io, (line) => io.err(`recovered ${line}`)));
  closeAtEnd.push(() => app.close());
  return app;
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
