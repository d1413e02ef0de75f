import { oneLine } from '../errors.js';

export type DaemonProbe =
  | { running: true; url: string; version: string }
  | { running: false; url: string; why: string };

/**
 * The daemon's address as a client on this host reaches it: `server.listen`, with a wildcard host (0.0.0.0, ::)
 * replaced by the loopback address of its family.
 */
export function daemonUrl(listen: string): string {
  const at = listen.lastIndexOf(':');
  const host = listen.slice(0, at);
  const loopback = host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host;
  return `http://${loopback}:${listen.slice(at + 1)}`;
}

/** Whether a switchyard daemon answers at `server.listen`: its public health route, within `timeoutMs`. */
export async function probeDaemon(listen: string, timeoutMs = 3000): Promise<DaemonProbe> {
  const url = daemonUrl(listen);
  try {
    const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    const body = (await res.json().catch(() => null)) as { status?: string; version?: string } | null;
    if (res.ok && body?.status === 'ok') return { running: true, url, version: String(body.version ?? '?') };
    return { running: false, url, why: `${url} answered ${res.status}, not as a switchyard daemon` };
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause;
    return { running: false, url, why: `nothing answers at ${url}: ${oneLine(cause ?? e)}` };
  }
}
