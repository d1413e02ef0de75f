import { execFile } from 'node:child_process';
import { childEnv } from '../util/process.js';

/** What the host offers to a backup. */
export interface HostTools {
  /** Major version of the host's pg_restore, or null when it is not installed. */
  pgRestoreMajor: number | null;
  /** `zstd --version`'s version, or null when zstd is not installed. */
  zstd: string | null;
}

/**
 * Probes the host's tools. Asked before every backup, before any child is
 * spawned: a probe awaited between spawning pg_dump and reading its output let
 * a fast pg_dump finish unread (Node discards the output of a child that exits
 * while nobody listens), and a host whose tools were upgraded is seen at once.
 */
export async function probeHostTools(): Promise<HostTools> {
  const [pgRestoreMajor, zstd] = await Promise.all([toolMajor('pg_restore'), toolVersion('zstd')]);
  return { pgRestoreMajor, zstd };
}

/** The major version of a host tool (15 for "15.18"), or null when it is not installed. */
export async function toolMajor(tool: string): Promise<number | null> {
  const version = await toolVersion(tool);
  return version === null ? null : Number(version.split('.')[0]);
}

/** The first version number a host tool prints for `--version`, or null when it is not installed. */
export function toolVersion(tool: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(tool, ['--version'], { timeout: 10_000, env: childEnv({ LC_ALL: 'C' }) }, (error, stdout) => {
      // "pg_restore (PostgreSQL) 15.18 (…)", "*** Zstandard CLI (64-bit) v1.5.4, …": the first dotted number.
      const match = /(\d+\.\d+(?:\.\d+)*)/.exec(String(stdout)) ?? /(\d+)/.exec(String(stdout));
      resolve(error || !match ? null : match[1]!);
    });
  });
}
