import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listVersions, VersionCaches } from '../../src/versions/index.js';
import { testContext, type TestContext } from '../fixtures/context.js';
import { countRequests, startFakeGitHub, type FakeGitHub } from '../fixtures/github.js';
import { sampleHistory, type SampleHistory } from './gitRepo.js';

/** Listings asked for at the same time: one computation (git, GitHub, registries) for all of them. */
describe('concurrent version listings', () => {
  let repo: SampleHistory;
  let github: FakeGitHub;
  let ctx: TestContext;

  beforeAll(async () => {
    repo = sampleHistory();
    github = await startFakeGitHub({ repo: 'acme/app', releases: [] });
    ctx = testContext({
      database: '{ service: db, name: app }',
      projectDir: repo.dir,
      extra: `github: { repo: acme/app, apiUrl: "${github.url}" }`,
    });
  });
  afterAll(async () => {
    ctx.cleanup();
    await github.close();
    repo.cleanup();
  });
  beforeEach(() => {
    github.requests.clear();
    ctx.versionCaches = new VersionCaches(); // nothing remembered from the previous test
  });

  it('share one computation, each with its own current version', async () => {
    const lists = await Promise.all(
      Array.from({ length: 50 }, (_, i) => listVersions(ctx, { currentSha: i % 2 ? repo.c2 : repo.c4 })),
    );
    expect(countRequests(github.requests, '/releases')).toBe(1);
    expect(countRequests(github.requests, '/check-runs')).toBe(4); // the 4 local commits, once each
    for (const [i, list] of lists.entries()) {
      expect(list.versions).toHaveLength(4);
      expect(list.versions.filter((v) => v.current).map((v) => v.sha)).toEqual([i % 2 ? repo.c2 : repo.c4]);
    }
    expect(ctx.versionCaches.listings.size).toBe(0);
  });

  it('do not share across limits or configs, and nothing past the computation', async () => {
    const reloaded = { ...ctx, config: { ...ctx.config, github: { ...ctx.config.github!, repo: 'acme/other' } } };
    const [all, two, other] = await Promise.all([
      listVersions(ctx),
      listVersions(ctx, { limit: 2 }),
      listVersions(reloaded),
    ]);
    expect(all.versions).toHaveLength(4);
    expect(two.versions.length).toBeLessThan(4); // two tags and two commits, not the shared listing of 30
    expect(other.sources.github).toMatch(/^unreachable: HTTP 404/); // its own listing, against its own repo
    expect(countRequests(github.requests, '/releases')).toBe(3);

    ctx.versionCaches.githubResponses.clear(); // past the TTL: the next listing asks again
    await listVersions(ctx);
    expect(countRequests(github.requests, '/releases')).toBe(4);
  });
});
