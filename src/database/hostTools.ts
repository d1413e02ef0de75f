import { execFile } from 'node:child_process';

/** What the host offers to a backup: the major version of its pg_restore, or null when absent. */
export interface HostTools {
  pgRestoreMajor: number | null;
}

/**
 * Probes the host's tools. Asked before every backup, before any child is
 * spawned: a probe awaited between spawning pg_dump and reading its output let
 * a fast pg_dump finish unread (Node discards the output of a child that exits
 * while nobody listens), and a host whose tools were upgraded is seen at once.
 */
export async function probeHostTools(): Promise<HostTools> {
  return { pgRestoreMajor: await toolMajor('pg_restore') };
}

/** Major version of a host tool from its `--version` line, or null when it is not installed. */
export function toolMajor(tool: string): Promise<number | null> {
  return new Promise((resolve) => {
    execFile(tool, ['--version'], { timeout: 10_000 }, (error, stdout) => {
      const match = /(\d+)(?:\.\d+)?/.exec(String(stdout));
      resolve(error || !match ? null : Number(match[1]));
    });
  });
}
