import fs from 'node:fs';
import path from 'node:path';

/** What pg_dump's stdout is buffered with: the size of the pieces a backup's archive is read in (readInPieces.ts). */
export const LARGE_WRITE_BYTES = 1 << 20;

/**
 * `command` run so that its stdout is written in pieces of LARGE_WRITE_BYTES, through coreutils'
 * `stdbuf` (it sets stdout's stdio buffer as the program starts), or as it is when `stdbuf` is not
 * in `searchPath`; `note` says which, for the backup's log line.
 *
 * Why, for pg_dump: it writes its archive through a 4 KiB stdio buffer, and every write woke the
 * reader, this process: 72 000 wake-ups per backup of the bench database, where 1 MiB writes
 * cause 16 000. The backup took 4.7-5.1 s instead of 5.1-5.5 s (service mode, 3 runs each, two
 * rounds); 4 MiB writes were slower again (5.2-5.9 s), as pg_dump then stops reading the server
 * for longer. Only stdout is affected, never a file the program opens itself (`--file`).
 */
export function withLargeWrites(
  command: readonly string[],
  searchPath = process.env.PATH ?? '',
): { command: string[]; note: string } {
  return onPath('stdbuf', searchPath)
    ? { command: ['stdbuf', `--output=${LARGE_WRITE_BYTES}`, ...command], note: 'in 1 MiB writes' }
    : { command: [...command], note: 'in 4 KiB writes (no stdbuf on this host)' };
}

/** Whether an executable `name` is in one of `searchPath`'s directories. */
export function onPath(name: string, searchPath: string): boolean {
  return searchPath
    .split(path.delimiter)
    .filter((dir) => dir !== '')
    .some((dir) => {
      try {
        fs.accessSync(path.join(dir, name), fs.constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}
