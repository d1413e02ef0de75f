import type { Context as HonoContext } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { FollowedLog, LogFollows } from '../../src/app/index.js';

/**
 * The Logs page's event stream: `snapshot` (empties the page's lines: the stream sends the tail
 * again, so a reconnect never repeats a line), a `log` per line, and `end` when the container stops
 * or the daemon closes. The engine's stream is closed when the client goes away.
 */
export function streamLogs(c: HonoContext, follows: LogFollows, followed: FollowedLog) {
  const untrack = follows.track(followed.close);
  // Its connection is not kept for another request: once the stream ends (the daemon closing), nothing holds it.
  c.header('Connection', 'close');
  return streamSSE(c, async (stream) => {
    stream.onAbort(() => followed.close());
    try {
      await send(stream, 'snapshot', { lines: [] });
      for await (const line of followed.lines) {
        if (stream.aborted) break;
        await send(stream, 'log', { line });
      }
      if (!stream.aborted)
        await send(stream, 'end', {
          text: 'The log ended (the container stopped, or the daemon). Reload to follow it again.',
        });
    } finally {
      untrack();
      followed.close();
    }
  });
}

const send = (stream: SSEStreamingApi, event: string, data: unknown) =>
  stream.writeSSE({ event, data: JSON.stringify(data) });
