import { describe, expect, it } from 'vitest';
import { VersionCaches } from '../../src/versions/cache.js';

/** The caches object on its own: bounded, and owned (two objects never share an answer). */
const entry = (n: number) => ({ etag: `W/"${n}"`, data: n, fetchedAt: n });

describe('VersionCaches', () => {
  it('keeps at most 1000 GitHub responses, forgetting the least recently stored first', () => {
    const caches = new VersionCaches();
    for (let i = 0; i < 1000; i++) caches.rememberGithubResponse(`/r/${i}`, entry(i));
    caches.rememberGithubResponse('/r/0', entry(0)); // stored again: now the most recent
    caches.rememberGithubResponse('/r/1000', entry(1000));

    expect(caches.githubResponses.size).toBe(1000);
    expect(caches.githubResponses.has('/r/1')).toBe(false);
    expect(caches.githubResponses.get('/r/0')?.data).toBe(0);
    expect(caches.githubResponses.get('/r/1000')?.data).toBe(1000);
  });

  it('two caches objects do not share answers', () => {
    const a = new VersionCaches();
    const b = new VersionCaches();
    a.rememberGithubResponse('/repos/acme/app/releases', entry(1));
    a.githubDown.set('https://api.github.com/repos/acme/app', { until: Number.MAX_SAFE_INTEGER, message: 'down' });
    a.gitFetches.set('/srv/app', { at: 1, status: 'ok' });
    a.imageLookups.set('repo/app:v1', { until: Number.MAX_SAFE_INTEGER, lookup: { state: 'present' } });

    for (const map of [b.githubResponses, b.githubDown, b.gitFetches, b.imageLookups]) expect(map.size).toBe(0);
  });

  it("measures TTLs on the time it was given, the system's by default", () => {
    expect(new VersionCaches(() => 42).now()).toBe(42);
    const before = Date.now();
    expect(new VersionCaches().now()).toBeGreaterThanOrEqual(before);
  });
});
