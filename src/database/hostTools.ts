import { execFile } from 'node:child_process';
import { childEnv } from '../util/process.js';
import { onPath } from './largeWrites.js';

/** What the host offers to a backup. */
export interface HostTools {
  /**
   * The host's pg_restore: 'target' when it is the one the target's programs are (URL mode, or a service reached with
   * the host's matching programs), else its major version, or null when it is not installed.
   */
  pgRestore: number | 'target' | null;
  /** Whether zstd is installed: an executable `zstd` on PATH. */
  zstd: boolean;
}

/**
 * What a backup needs to know of the host's tools, asked before every backup (a host whose tools were upgraded is
 * seen at once) and before any child is spawned: a probe awaited between spawning pg_dump and reading its output let
 * a fast pg_dump finish unread (Node discards the output of a child that exits while nobody listens).
 * `programsOnHost`: the target's readsHostFiles. Only a pg_restore that is not the target's own is run to ask its
 * version; zstd is looked up on PATH. Each child costs a backup's start 10-60 ms on a busy host, most of it spent
 * in this process (a spawn returns once the child has exec'd), and a Debian pg_restore is a Perl wrapper.
 */
export async function probeHostTools(programsOnHost: boolean): Promise<HostTools> {
  return {
    pgRestore: programsOnHost ? 'target' : await toolMajor('pg_restore'),
    zstd: onPath('zstd', process.env.PATH ?? ''),
  };
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
