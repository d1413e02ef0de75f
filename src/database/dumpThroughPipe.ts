import { type NamedPipe, openNamedPipe } from '../util/namedPipe.js';
import type { ToolProcess } from '../util/process.js';
import type { ScratchDir } from '../util/scratchDir.js';
import type { DumpProcess } from './target.js';

/**
 * pg_dump, started where it runs by `start`: writing its archive into a named pipe in `scratch`
 * that this process reads, or on its stdout when there is no scratch dir or no pipe can be made
 * there (`start` is then given null). `via` names each way, for the backup's log line. The pipe is
 * closed and removed once pg_dump has exited, or if it never starts.
 */
export async function dumpThroughPipe(
  scratch: ScratchDir | null,
  mode: 0o600 | 0o622,
  start: (pipe: NamedPipe | null) => Promise<ToolProcess>,
  via: { pipe: string; stdout: string },
): Promise<DumpProcess> {
  const pipe = scratch ? await openNamedPipe(scratch, mode) : null;
  if (!pipe) return { ...(await start(null)), via: via.stdout };
  try {
    const proc = await start(pipe);
    proc.stdout.resume(); // nothing comes this way
    const exited = proc.exited.finally(() => pipe.writerExited());
    return { ...proc, stdout: pipe.output, pieces: pipe.pieces, exited, via: via.pipe };
  } catch (e) {
    pipe.writerExited();
    pipe.output.destroy();
    throw e;
  }
}

/** pg_dump's arguments to write into `pipe` by its path (`--no-sync`: a pipe has nothing to fsync). */
export const intoPipeByPath = (args: readonly string[], pipe: NamedPipe | null): string[] =>
  pipe ? [...args, `--file=${pipe.there}`, '--no-sync'] : [...args];
