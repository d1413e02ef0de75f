import type { Server } from 'node:http';
import type { ServerType } from '@hono/node-server';

/**
 * How long requests still being answered at shutdown may go on: an event stream stays open as long
 * as its browser tab, and a download whose client stopped reading waits for good.
 */
export const CONNECTION_GRACE_MS = 5_000;

/**
 * From SIGTERM to exit at the latest, below the unit's TimeoutStopSec (330 s), so that the daemon
 * says why it did not stop cleanly before systemd kills it: a step of an operation that has not
 * reached its boundary by then (TimeoutStopSec must exceed the longest step anyway), or anything
 * else stuck. An idle daemon exits within CONNECTION_GRACE_MS.
 */
export const STOP_DEADLINE_MS = 320_000;

/**
 * Once the daemon has closed everything (store included), whatever is still pending in the process
 * (a read stuck in the kernel on a worker thread) no longer holds it: it ends after this.
 */
export const EXIT_AFTER_CLOSE_MS = 1_000;

/**
 * Ends the process as `signal` ends one that has no handler for it. Not process.exit: that joins
 * Node's worker threads first, so one stuck in the kernel (an open of a FIFO) hangs it for good.
 * systemd counts an end by SIGTERM or SIGINT as a clean stop.
 */
export function endBy(signal: NodeJS.Signals): void {
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
}

/**
 * Stops taking connections at once and closes the idle ones, and each that goes idle from then on (a
 * browser's kept-alive connection whose last answer just ended); those still answering get `graceMs`,
 * then their sockets are closed. Resolves when no connection is left.
 */
export function closeConnections(server: ServerType, graceMs = CONNECTION_GRACE_MS): Promise<void> {
  const http = server as Server;
  const closed = new Promise<void>((resolve) => http.close(() => resolve()));
  http.closeIdleConnections();
  const sweep = setInterval(() => http.closeIdleConnections(), 100);
  const force = setTimeout(() => http.closeAllConnections(), graceMs);
  return closed.finally(() => {
    clearInterval(sweep);
    clearTimeout(force);
  });
}
