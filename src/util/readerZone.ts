import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The time zone of whoever reads what is being written: the web UI runs each request in its browser's zone
 * (sent in a cookie by app.js), so every time on its pages and in its error lines, wherever they are composed,
 * is that person's local time; everything else (the CLI, the daemon's own lines) reads in the process's zone.
 */
const zones = new AsyncLocalStorage<string>();

export const processZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

export const readerZone = (): string => zones.getStore() ?? processZone();

/** An IANA zone name Intl knows ("Europe/Berlin"), else undefined: the cookie is the browser's to send. */
export function validZone(name: string | undefined): string | undefined {
  if (!name || name.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(name)) return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return name; // as the browser spells it (ICU may say Asia/Calcutta for Asia/Kolkata), so app.js sees it match
  } catch {
    return undefined;
  }
}

export function inReaderZone<T>(zone: string | undefined, run: () => T): T {
  return zone ? zones.run(zone, run) : run();
}
