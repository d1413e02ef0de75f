import type { NamedPipe } from '../util/namedPipe.js';
import type { ToolProcess } from '../util/process.js';
import type { DumpProcess } from './target.js';

/**
 * pg_dump with `args` writing its archive into `pipe` (`--file`; `--no-sync`, a pipe has nothing to
 * fsync), which this process reads. `start` runs it where it runs. The pipe is closed and removed
 * once pg_dump has exited, or if it never starts.
 */
export async function dumpThroughPipe(
  pipe: NamedPipe,
  args: readonly string[],
  start: (args: string[]) => Promise<ToolProcess>,
  via: string,
): Promise<DumpProcess> {
  try {
    const proc = await start([...args, `--file=${pipe.there}`, '--no-sync']);
    proc.stdout.resume(); // nothing comes this way
    const exited = proc.exited.finally(() => pipe.writerExited());
    return { ...proc, stdout: pipe.output, pieces: pipe.pieces, exited, via };
  } catch (e) {
    pipe.writerExited();
    pipe.output.destroy();
    throw e;
  }
}
