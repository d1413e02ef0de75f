import { type NamedPipe, runIntoPipe } from '../util/namedPipe.js';
import type { ToolProcess } from '../util/process.js';
import type { ScratchDir } from '../util/scratchDir.js';
import type { DumpProcess } from './target.js';

/**
 * pg_dump, started where it runs by `start`, writing its archive into a named pipe in `scratch` that
 * this process reads, or else on its stdout (runIntoPipe). `via` names each way, for the backup's log line.
 */
export async function dumpThroughPipe(
  scratch: ScratchDir | null,
  mode: 0o600 | 0o622,
  start: (pipe: NamedPipe | null) => Promise<ToolProcess>,
  via: { pipe: string; stdout: string },
): Promise<DumpProcess> {
  const { throughPipe, ...proc } = await runIntoPipe(scratch, mode, start);
  return { ...proc, via: throughPipe ? via.pipe : via.stdout };
}

/** pg_dump's arguments to write into `pipe` by its path (`--no-sync`: a pipe has nothing to fsync). */
export const intoPipeByPath = (args: readonly string[], pipe: NamedPipe | null): string[] =>
  pipe ? [...args, `--file=${pipe.there}`, '--no-sync'] : [...args];
