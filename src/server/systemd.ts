import { spawn } from 'node:child_process';
import type { Logger } from '../util/log.js';
import { childEnv } from '../util/process.js';

/**
 * sd_notify without a native addon: Node has no datagram unix sockets, so the
 * messages go through `systemd-notify`, which the unit allows with
 * NotifyAccess=all. READY=1 once the API listens (recovery done); WATCHDOG=1 at
 * half the watchdog interval while the event loop is alive.
 */
export function notifySystemd(log: Logger, env: NodeJS.ProcessEnv = process.env): () => void {
  if (!env.NOTIFY_SOCKET) return () => {};
  const send = (...args: string[]) => {
    const child = spawn('systemd-notify', args, {
      stdio: 'ignore',
      env: childEnv({ NOTIFY_SOCKET: env.NOTIFY_SOCKET }, env),
    });
    child.once('error', (e) => log.warn('systemd-notify failed', { error: e.message }));
  };
  send('--ready', `--status=listening`);
  const usec = Number(env.WATCHDOG_USEC ?? 0);
  if (!usec) return () => send('--status=stopping', 'STOPPING=1');
  const timer = setInterval(() => send('WATCHDOG=1'), Math.max(1000, usec / 2000));
  timer.unref();
  return () => {
    clearInterval(timer);
    send('--status=stopping', 'STOPPING=1');
  };
}
