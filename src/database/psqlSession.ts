import { failed } from '../errors.js';
import { maskUrlSecrets } from '../util/redact.js';
import { tailOf, type ToolProcess } from '../util/process.js';
import type { SqlSession } from './target.js';

const END = '__switchyard_end__';

/**
 * A SQL session over a long-running `psql` (started with -X -q -A -t and
 * ON_ERROR_STOP): each statement is followed by an \echo marker, and its result
 * is the output up to that marker. Used where only psql can reach the server,
 * i.e. inside the database container.
 */
export function psqlSession(proc: ToolProcess, label: string): SqlSession {
  const stdin = proc.stdin;
  if (!stdin) throw new Error('psqlSession needs stdin');
  const stderr = tailOf(proc.stderr);
  let buffer = '';
  let waiting: { resolve: (text: string) => void; reject: (e: Error) => void } | undefined;
  let ended = false;

  const deathError = () => failed(`psql in ${label} stopped: ${maskUrlSecrets(stderr()) || 'no error output'}`);

  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (chunk: string) => {
    buffer += chunk;
    const at = buffer.indexOf(`${END}\n`);
    if (at >= 0 && waiting) {
      const text = buffer.slice(0, at);
      buffer = buffer.slice(at + END.length + 1);
      const w = waiting;
      waiting = undefined;
      w.resolve(text);
    }
  });
  void proc.exited.then(() => {
    ended = true;
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      // Let stderr drain first so the message says what went wrong.
      setTimeout(() => w.reject(deathError()), 20);
    }
  });

  return {
    query(sql: string) {
      if (ended) return Promise.reject(deathError());
      if (waiting) return Promise.reject(new Error('psqlSession: one query at a time'));
      return new Promise<string>((resolve, reject) => {
        waiting = { resolve: (text) => resolve(text.split('\n')[0] ?? ''), reject };
        stdin.write(`${sql.trim().replace(/;$/, '')};\n\\echo ${END}\n`);
      });
    },
    async close() {
      if (!ended) {
        stdin.end('\\q\n');
        const timer = setTimeout(() => proc.kill(), 5000);
        await proc.exited;
        clearTimeout(timer);
      }
    },
  };
}

export const PSQL_SESSION_ARGS = ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1'] as const;
