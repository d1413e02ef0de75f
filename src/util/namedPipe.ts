import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { collect, spawnHost, type ToolProcess } from './process.js';
import { PiecePool, readInPieces } from './readInPieces.js';
import { scratchName, type ScratchDir } from './scratchDir.js';

/** A named pipe in a scratch dir that a program writes to and this process reads. */
export interface NamedPipe {
  /** The path the program is given. */
  readonly there: string;
  /** What it writes, in pieces (readInPieces.ts). Ends after it has closed the pipe and `writerExited` has been called. */
  readonly output: Readable;
  /** Where those pieces come from, for the last consumer to hand them back. */
  readonly pieces: PiecePool;
  /** A write end for a child on this host to have as its stdout (blocking, as a program's stdout is). */
  writeEnd(): number;
  /**
   * The program has exited: our own write end, kept open so far because a pipe with no writer at all
   * reads as ended (before the program has opened it, say), is closed, and the pipe's name removed.
   */
  writerExited(): void;
}

/**
 * Makes a pipe in `dir` for a program to write its output to, read here straight into large
 * pieces. Into a container it is a kernel pipe where the exec stream would copy every byte through
 * containerd and dockerd; on this host it is read with no allocation per read, where a child's
 * stdout is not. Null when the pipe cannot be made or opened (no `mkfifo`, no inodes left): the
 * caller streams instead. `mode`: 0622 when the program runs as another user (a container's), whose
 * output only root here may read; else 0600.
 */
export async function openNamedPipe(dir: ScratchDir, mode: 0o600 | 0o622): Promise<NamedPipe | null> {
  const name = scratchName('fifo');
  const here = path.join(dir.here, name);
  const made = await collect(spawnHost('mkfifo', ['-m', mode.toString(8), '--', here]));
  if (made.code !== 0) return null;
  let reader: number | undefined;
  let keepOpen: number | undefined;
  try {
    // Neither open waits: the reader's returns at once, and the writer's finds that reader.
    reader = fs.openSync(here, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    keepOpen = fs.openSync(here, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    const pieces = new PiecePool();
    const output = readInPieces(reader, pieces);
    let closed = false;
    return {
      there: path.posix.join(dir.there, name),
      output,
      pieces,
      // Our read end is open, so this open finds a reader and returns at once.
      writeEnd: () => fs.openSync(here, fs.constants.O_WRONLY),
      writerExited() {
        if (closed) return;
        closed = true;
        fs.closeSync(keepOpen!);
        fs.rmSync(here, { force: true });
      },
    };
  } catch {
    for (const fd of [reader, keepOpen]) if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(here, { force: true });
    return null;
  }
}

/** A program's process whose stdout is what it wrote: through a named pipe, or on its own stdout. */
export type PipedProcess = ToolProcess & {
  /** When stdout's chunks come from a pool of pieces: that pool, for the last consumer to hand them back. */
  readonly pieces?: PiecePool;
  readonly throughPipe: boolean;
};

/**
 * A program, started by `start`, writing its output into a named pipe in `scratch` that this process reads
 * in pieces (the returned `stdout`), or on its own stdout when there is no scratch dir or no pipe can be made
 * there (`start` is then given null). The pipe is closed and removed once the program has exited, or if it
 * never starts.
 */
export async function runIntoPipe(
  scratch: ScratchDir | null,
  mode: 0o600 | 0o622,
  start: (pipe: NamedPipe | null) => Promise<ToolProcess>,
): Promise<PipedProcess> {
  const pipe = scratch ? await openNamedPipe(scratch, mode) : null;
  if (!pipe) return { ...(await start(null)), throughPipe: false };
  try {
    const proc = await start(pipe);
    proc.stdout.resume(); // nothing comes this way
    const exited = proc.exited.finally(() => pipe.writerExited());
    return { ...proc, stdout: pipe.output, pieces: pipe.pieces, exited, throughPipe: true };
  } catch (e) {
    pipe.writerExited();
    pipe.output.destroy();
    throw e;
  }
}
