import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { collect, spawnHost } from '../util/process.js';
import { containerTempName, type ContainerTmp } from './containerTmp.js';

/** A named pipe in a container's /tmp that a program inside writes to and this process reads. */
export interface ContainerPipe {
  /** The path the program inside is given. */
  readonly inside: string;
  /** What it writes. Ends after it has closed the pipe and `writerExited` has been called. */
  readonly output: Readable;
  /**
   * The program has exited: our own write end, kept open so far because a pipe with no writer at all
   * reads as ended (before the program has opened it, say), is closed, and the pipe's name removed.
   */
  writerExited(): void;
}

/**
 * Makes a pipe in a container's /tmp for a program inside to write its output to: a kernel pipe
 * from the program to this process, where the exec stream would copy every byte through containerd
 * and dockerd. Null when the pipe cannot be made or opened (no `mkfifo`, no inodes left in /tmp):
 * the caller streams instead. Mode 0622: the program inside may write whatever its user; only root
 * here may read.
 */
export async function openContainerPipe(tmp: ContainerTmp): Promise<ContainerPipe | null> {
  const name = containerTempName('fifo');
  const here = path.join(tmp.here, name);
  const made = await collect(spawnHost('mkfifo', ['-m', '0622', '--', here]));
  if (made.code !== 0) return null;
  let reader: number | undefined;
  let keepOpen: number | undefined;
  try {
    // Neither open waits: the reader's returns at once, and the writer's finds that reader.
    reader = fs.openSync(here, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    keepOpen = fs.openSync(here, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    const output = new net.Socket({ fd: reader, readable: true, writable: false });
    let closed = false;
    return {
      inside: path.posix.join(tmp.inside, name),
      output,
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
