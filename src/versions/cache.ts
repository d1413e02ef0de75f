import type { ImageLookup } from '../docker/registry.js';
import { InFlight } from '../util/inFlight.js';
import type { VersionList } from './types.js';

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

/** The GitHub response cache is bounded: each new commit adds entries, old ones stop being asked for. */
const MAX_GITHUB_ENTRIES = 1000;

/**
 * The caches behind listVersions. The composition root (createRuntime, src/main/runtime.ts) makes one, so the daemon's
 * one Context holds it and a Context spread per request still shares it; keys carry everything
 * that distinguishes answers (full request URL, project dir, image reference). A test makes its own.
 */
export class VersionCaches {
  readonly githubResponses = new Map<string, HttpCacheEntry>();
  readonly githubDown = new Map<string, { until: number; message: string }>();
  readonly gitFetches = new Map<string, { at: number; status: string }>();
  readonly imageLookups = new Map<string, { until: number; lookup: ImageLookup }>();
  /**
   * Listings being computed. 200 page loads at once used to start 200 listings (each with its git
   * processes and registry questions) and take 20 s each; now they all await the one in flight.
   */
  readonly listings = new InFlight<VersionList>();

  /**
   * `now` measures the TTLs. They are deadlines, not recorded times, so production keeps Date.now;
   * a test moves it past a TTL instead of waiting.
   */
  constructor(readonly now: () => number = Date.now) {}

  rememberGithubResponse(url: string, entry: HttpCacheEntry): void {
    this.githubResponses.delete(url); // re-insert so Map order is least recently stored first
    this.githubResponses.set(url, entry);
    while (this.githubResponses.size > MAX_GITHUB_ENTRIES) {
      const oldest = this.githubResponses.keys().next().value;
      if (oldest === undefined) break;
      this.githubResponses.delete(oldest);
    }
  }
}

/** What each source reads and writes of the caches (narrow ports: a test can hand in a fresh VersionCaches). */
export type GitHubCaches = Pick<VersionCaches, 'githubResponses' | 'githubDown' | 'rememberGithubResponse' | 'now'>;
export type GitFetchCache = Pick<VersionCaches, 'gitFetches' | 'now'>;
export type ImageLookupCache = Pick<VersionCaches, 'imageLookups' | 'now'>;
