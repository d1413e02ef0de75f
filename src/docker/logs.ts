import { PassThrough, type Readable } from 'node:stream';
import type { DockerClient } from './client.js';
import { demultiplex } from './demux.js';

/** A container's log as a stream of lines: stdout and stderr together, in the order the engine sends them. */
export interface LogRead {
  /** The last `tail` lines, then (when following) each new line as it is written. */
  lines: AsyncIterable<string>;
  /** Ends the engine's stream; the lines then end too. Safe to call more than once. */
  close(): void;
}

/**
 * The one reader of container logs (the failure report and the logs command, API and page use it):
 * dockerode's logs, demultiplexed unless the container has a TTY, cut into lines. Following ends
 * when the container stops or when `close` is called (a client that went away), never later.
 */
export async function readContainerLogs(
  docker: DockerClient,
  containerId: string,
  options: { tail: number; follow: boolean },
): Promise<LogRead> {
  const container = docker.getContainer(containerId);
  const info = await container.inspect();
  const text = new PassThrough();
  text.setEncoding('utf8'); // decodes a character split across two chunks whole
  let raw: Readable;
  if (options.follow) {
    raw = (await container.logs({ stdout: true, stderr: true, tail: options.tail, follow: true })) as Readable;
  } else {
    // Without follow dockerode answers a Buffer: replayed here as a stream, so both ways split alike.
    const body = (await container.logs({ stdout: true, stderr: true, tail: options.tail, follow: false })) as Buffer;
    raw = new PassThrough();
    (raw as PassThrough).end(body);
  }
  if (info.Config.Tty) raw.pipe(text);
  else {
    demultiplex(raw, text, text);
    raw.once('end', () => text.end());
  }
  const finish = () => {
    if (!text.writableEnded) text.end();
  };
  raw.once('close', finish);
  raw.once('error', finish);
  return {
    lines: splitLines(text),
    close() {
      raw.destroy();
      finish();
    },
  };
}

/** Every whole line of a byte stream (a last line without its newline too), without its "\r\n" or "\n". */
export async function* splitLines(source: AsyncIterable<string>): AsyncGenerator<string> {
  let partial = '';
  for await (const chunk of source) {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) yield line.replace(/\r$/, '');
  }
  if (partial) yield partial.replace(/\r$/, '');
}
