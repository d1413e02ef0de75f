import type { ImageLookup } from '../docker/registry.js';

/**
 * The caches behind listVersions, module-level on purpose: the daemon has one
 * config, and keys carry everything that distinguishes answers (full request
 * URL, project dir, image reference), so a Context rebuilt or spread per request
 * still hits them. Tests call resetVersionCaches() in beforeEach.
 */

/** How long an answer is served without asking again. */
export const TTL = {
  /** GitHub responses (releases, CI per sha): repeated page loads make no request at all. */
  github: 30_000,
  /** After GitHub failed: don't wait on it again for every page load. */
  githubDown: 30_000,
  /** `git fetch --tags` at most this often. */
  gitFetch: 30_000,
  /** A tag pushed for a sha rarely changes or disappears. */
  imagePresent: 10 * 60_000,
  imageAbsent: 60_000,
  /** Registry down: try again soon, but not on every page load. */
  imageUnknown: 30_000,
};

export interface HttpCacheEntry {
  etag: string | null;
  data: unknown;
  fetchedAt: number;
}

export const githubResponses = new Map<string, HttpCacheEntry>();
export const githubDown = new Map<string, { until: number; message: string }>();
export const gitFetches = new Map<string, { at: number; status: string }>();
export const imageLookups = new Map<string, { until: number; lookup: ImageLookup }>();

/** The GitHub response cache is bounded: each new commit adds entries, old ones stop being asked for. */
const MAX_GITHUB_ENTRIES = 1000;

export function rememberGithubResponse(url: string, entry: HttpCacheEntry): void {
  githubResponses.delete(url); // re-insert so Map order is least recently stored first
  githubResponses.set(url, entry);
  while (githubResponses.size > MAX_GITHUB_ENTRIES) {
    const oldest = githubResponses.keys().next().value;
    if (oldest === undefined) break;
    githubResponses.delete(oldest);
  }
}

/**
 * Forgets cached answers, for tests. With keepEtags the GitHub responses are
 * only marked stale: the next call asks GitHub again with If-None-Match, as it
 * would after the TTL.
 */
export function resetVersionCaches(options: { keepEtags?: boolean } = {}): void {
  if (options.keepEtags) for (const entry of githubResponses.values()) entry.fetchedAt = 0;
  else githubResponses.clear();
  githubDown.clear();
  gitFetches.clear();
  imageLookups.clear();
}
