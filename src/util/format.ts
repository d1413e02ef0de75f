import { readerZone } from './readerZone.js';

/** 1536 → "1.5 KiB": binary units, one decimal below 10, for terminals and pages alike. */
export function formatBytes(n: number | null | undefined, empty = '-'): string {
  if (n === null || n === undefined) return empty;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** 0o644 → "0644": a file's permission bits as chmod takes them. */
export function formatMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

/**
 * 2026-12-07T07:40:28.123Z → "2026-12-07 16:40:28 GMT+9": the one way a person reads a time, in the UI and the CLI
 * alike: local to the reader (readerZone), to the second, with the zone named. Machines get ISO UTC instead.
 */
export function formatTime(iso: string | Date, timeZone = readerZone()): string {
  const when = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(when.getTime())) return String(iso);
  const parts: Record<string, string> = {};
  for (const p of LOCAL.get(timeZone).formatToParts(when)) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName}`;
}

/** formatTime, or "-" for a time that has not come (an operation still running). */
export const timeOrDash = (iso: string | null | undefined): string => (iso ? formatTime(iso) : '-');

/** "2026-12-07 07:40:28 UTC": the same time for the hover text, one zone for everyone comparing notes. */
export function formatUtcTime(iso: string | Date): string {
  return formatTime(iso, 'UTC');
}

/** One Intl formatter per zone: building one costs far more than using it, and a page shows hundreds of times. */
const LOCAL = {
  cache: new Map<string, Intl.DateTimeFormat>(),
  get(timeZone: string): Intl.DateTimeFormat {
    let f = this.cache.get(timeZone);
    if (!f) {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
        timeZoneName: 'short',
      });
      this.cache.set(timeZone, f);
    }
    return f;
  },
};

/** `sha256:0123456789ab`: a digest cut to 12 hex digits, as Docker shows image ids; anything else as it is. */
export function shortDigest(digest: string): string {
  return digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/, '$1');
}
