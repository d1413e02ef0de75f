import { execFile } from 'node:child_process';
import { childEnv } from '../util/process.js';

let cached: Promise<number | null> | undefined;

/** Major version of the host's pg_restore, or null when it is not installed. */
export function hostPgRestoreMajor(): Promise<number | null> {
  cached ??= new Promise((resolve) => {
    execFile('pg_restore', ['--version'], { env: childEnv() }, (error, stdout) => {
      const match = /(\d+)(?:\.\d+)?/.exec(String(stdout));
      resolve(error || !match ? null : Number(match[1]));
    });
  });
  return cached;
}
