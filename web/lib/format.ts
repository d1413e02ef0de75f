/** Plain-text formatting shared by the views: sizes, ages, durations, shas. */

import { formatBytes as formatBytesOr } from '../../src/util/format.js';

export { formatTime, formatUtcTime, shortDigest } from '../../src/util/format.js';

export const formatBytes = (n: number | null | undefined): string => formatBytesOr(n, '—');

/** "3 min", "5 h", "2 days": coarse on purpose, for "how old is this". */
export function formatAge(fromIso: string, now = Date.now()): string {
  const ms = Math.max(0, now - Date.parse(fromIso));
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'less than a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}

/** "850 ms", "12.3 s", "4 min 05 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

export function durationBetween(startIso: string, endIso: string | null): string {
  return endIso === null ? '…' : formatDuration(Date.parse(endIso) - Date.parse(startIso));
}

export const shortSha = (sha: string | null | undefined) => (sha ? sha.slice(0, 7) : '—');

/** An image reference with its digest shortened: repo@sha256:0123456789ab. */
export function shortImage(ref: string): string {
  return ref.replace(/@sha256:([0-9a-f]{12})[0-9a-f]+$/, '@sha256:$1');
}

/** "Pre-deploy backup" from "pre-deploy backup": a phrase that starts a sentence or a label. */
export const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
