import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TTL } from '../../src/versions/cache.js';
import { listVersions, VersionCaches, type VersionList } from '../../src/versions/index.js';
import { testContext, type TestContext } from '../fixtures/context.js';
import { countRequests, startFakeGitHub, type FakeGitHub, type FakeRelease } from '../fixtures/github.js';
import { linearHistory, sampleHistory, type SampleHistory } from './gitRepo.js';

const TOKEN_ENV = 'SY_VERSIONS_TEST_GH_TOKEN';
const TOKEN = 'ghp_versionsTestToken0123456789';

const release = (tag: string, extra: Partial<FakeRelease> = {}): FakeRelease => ({
  tag_name: tag,
  name: null,
  body: null,
  published_at: '2026-01-01T00:00:00Z',
  prerelease: false,
  draft: false,
  target_commitish: 'main',
  ...extra,
});

describe('versions with GitHub releases and CI', () => {
  let repo: SampleHistory;
  let github: FakeGitHub;
  let ctx: TestContext;
  /** How far the caches' time is ahead of the real one: a test moves it to pass a TTL instead of waiting. */
  let ahead = 0;
  const passTtl = () => {
    ahead += TTL.github;
  };

  beforeAll(async () => {
    repo = sampleHistory();
    github = await startFakeGitHub({
      repo: 'acme/app',
      releases: [
        release('v1.1.0', {
          name: 'Dashboard',
          body: '## New\n- the dashboard',
          published_at: '2026-01-03T12:00:00Z',
          prerelease: true,
        }),
        release('v1.0.0', { name: 'First', body: 'First release.', published_at: '2026-01-02T12:00:00Z' }),
        // Not tagged locally and made from a branch: its commit cannot be known.
        release('v0.9.0', { name: 'Preview', published_at: '2025-12-01T00:00:00Z' }),
        release('v2.0.0', { draft: true, published_at: null }),
      ],
      checkRuns: {
        [repo.c4]: [
          { name: 'build', status: 'completed', conclusion: 'success' },
          { name: 'lint', status: 'completed', conclusion: 'neutral' },
        ],
        [repo.c3]: [
          { name: 'build', status: 'completed', conclusion: 'failure' },
          { name: 'e2e', status: 'in_progress', conclusion: null },
        ],
        [repo.c2]: [{ name: 'build', status: 'queued', conclusion: null }],
      },
      statuses: { [repo.c4]: [{ context: 'ci/preview', state: 'success' }] },
    });
    process.env[TOKEN_ENV] = TOKEN;
  });
  afterAll(async () => {
    delete process.env[TOKEN_ENV];
    await github.close();
    repo.cleanup();
  });
  beforeEach(() => {
    github.requests.clear();
    github.notModified.clear();
    github.setDown(false);
    ctx = testContext({
      database: '{ service: db, name: app }',
      projectDir: repo.dir,
      extra: `github: { repo: acme/app, apiUrl: "${github.url}", tokenEnv: ${TOKEN_ENV} }`,
    });
    ahead = 0;
    ctx.versionCaches = new VersionCaches(() => Date.now() + ahead);
  });
  afterEach(() => ctx.cleanup());

  const summary = (list: VersionList) => list.versions.map((v) => [v.kind, v.ref, v.ci.state]);

  it('adds release names, notes and CI states, newest first', async () => {
    const list = await listVersions(ctx, { currentSha: repo.c3 });

    expect(list.sources).toEqual({ git: 'ok', github: 'ok' });
    expect(summary(list)).toEqual([
      ['release', 'v1.1.0', 'failed'],
      ['release', 'v1.0.0', 'pending'],
      ['release', 'v0.9.0', 'unknown'],
      ['commit', repo.c4.slice(0, 7), 'passed'],
      ['commit', repo.c1.slice(0, 7), 'unknown'],
    ]);
    const [c3, c2, unresolved, c4] = list.versions;
    expect(c4?.ci.checks).toEqual([
      { name: 'build', state: 'passed' },
      { name: 'lint', state: 'passed' },
      { name: 'ci/preview', state: 'passed' },
    ]);
    expect(c3).toMatchObject({
      sha: repo.c3,
      name: 'Dashboard',
      notes: '## New\n- the dashboard',
      publishedAt: '2026-01-03T12:00:00Z',
      prerelease: true,
      current: true,
      commit: { type: 'feat', scope: 'ui', breaking: true },
      ci: {
        checks: [
          { name: 'build', state: 'failed' },
          { name: 'e2e', state: 'pending' },
        ],
      },
    });
    expect(c2).toMatchObject({
      sha: repo.c2,
      name: 'First',
      notes: 'First release.',
      prerelease: false,
      current: false,
    });
    // Listed, not dropped, but nobody can deploy a commit that is not known.
    expect(unresolved).toMatchObject({
      sha: '',
      sha7: '',
      name: 'Preview',
      commit: null,
      deployable: false,
      current: false,
    });
    expect(unresolved?.images.missing[0]).toMatch(/commit of release v0\.9\.0 is unknown/);
  });

  it('asks CI only for the newest 15 versions', async () => {
    const long = linearHistory(17);
    const busy = testContext({
      database: '{ service: db, name: app }',
      projectDir: long.dir,
      extra: `github: { repo: acme/app, apiUrl: "${github.url}" }`,
    });
    try {
      const list = await listVersions(busy);
      // The fake's releases are not tagged in this repo: listed too, without a commit, and never asked about.
      expect(list.versions.filter((v) => v.sha !== '')).toHaveLength(17);
      expect(countRequests(github.requests, '/check-runs')).toBe(15);
      expect(github.requests.has(`/repos/acme/app/commits/${long.shas[1]}/check-runs`)).toBe(false); // the second oldest
      expect(list.sources.github).toBe('ok');
    } finally {
      busy.cleanup();
      long.cleanup();
    }
  });

  it('sends the token but never logs it', async () => {
    await listVersions(ctx);
    expect(github.lastHeaders.get('/repos/acme/app/releases')?.authorization).toBe(`token ${TOKEN}`);
    expect(ctx.logLines.join('\n')).not.toContain(TOKEN);
  });

  it('answers again from memory within the TTL, then revalidates with If-None-Match', async () => {
    const first = await listVersions(ctx);
    const requestsAfterFirst = countRequests(github.requests);
    // Releases once, then check runs and status for each of the 4 local commits.
    expect(countRequests(github.requests, '/releases')).toBe(1);
    expect(countRequests(github.requests, '/check-runs')).toBe(4);
    expect(countRequests(github.requests, '/status')).toBe(4);

    const second = await listVersions(ctx);
    expect(countRequests(github.requests)).toBe(requestsAfterFirst);
    expect(second).toEqual(first);

    passTtl(); // the answers are kept with their ETags, but stale
    const third = await listVersions(ctx);
    expect(countRequests(github.requests)).toBe(2 * requestsAfterFirst);
    expect(countRequests(github.notModified)).toBe(requestsAfterFirst);
    expect(github.lastHeaders.get('/repos/acme/app/releases')?.['if-none-match']).toMatch(/^W\/"[0-9a-f]{40}"$/);
    expect(third).toEqual(first);
  });

  it("answers from its own caches only: another Context's asks GitHub again, a spread of this one does not", async () => {
    await listVersions(ctx);
    const asked = countRequests(github.requests);
    expect(asked).toBeGreaterThan(0);

    const other = await listVersions({ ...ctx, versionCaches: new VersionCaches() });
    expect(countRequests(github.requests)).toBe(2 * asked);
    expect(countRequests(github.notModified)).toBe(0); // it had no ETags to send either
    expect(other.sources.github).toBe('ok');

    await listVersions({ ...ctx }); // what a request handler's Context spread looks like
    expect(countRequests(github.requests)).toBe(2 * asked);
  });

  it('sees a change once the TTL has passed', async () => {
    await listVersions(ctx);
    const runs = github.data.checkRuns![repo.c2]!;
    runs[0] = { name: 'build', status: 'completed', conclusion: 'success' };
    try {
      passTtl();
      const list = await listVersions(ctx);
      expect(list.versions.find((v) => v.sha === repo.c2)?.ci.state).toBe('passed');
      expect(github.notModified.get(`/repos/acme/app/commits/${repo.c2}/check-runs`)).toBeUndefined();
    } finally {
      runs[0] = { name: 'build', status: 'queued', conclusion: null };
    }
  });

  it('lists the local versions when GitHub answers 500, and does not ask again at once', async () => {
    github.setDown(true);
    const list = await listVersions(ctx);

    expect(list.sources.git).toBe('ok');
    expect(list.sources.github).toMatch(/^unreachable: HTTP 500 /);
    expect(summary(list)).toEqual([
      ['tag', 'v1.1.0', 'unknown'],
      ['tag', 'v1.0.0', 'unknown'],
      ['commit', repo.c4.slice(0, 7), 'unknown'],
      ['commit', repo.c1.slice(0, 7), 'unknown'],
    ]);
    const asked = countRequests(github.requests);
    expect(asked).toBe(1); // the releases; CI is not asked of a GitHub that is down

    const again = await listVersions(ctx);
    expect(again.sources.github).toMatch(/^unreachable: /);
    expect(countRequests(github.requests)).toBe(asked);
  });

  it('gives up on a GitHub that does not answer after a few seconds', async () => {
    github.setDown('hang');
    const started = Date.now();
    const list = await listVersions(ctx);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(list.sources.github).toBe('unreachable: no answer within 5 s');
    expect(list.versions).toHaveLength(4);
  });

  it('lists the local versions when nothing listens on the API address', async () => {
    const closed = await startFakeGitHub({ repo: 'acme/app', releases: [] });
    await closed.close();
    const offline = testContext({
      database: '{ service: db, name: app }',
      projectDir: repo.dir,
      extra: `github: { repo: acme/app, apiUrl: "${closed.url}" }`,
    });
    try {
      const list = await listVersions(offline);
      expect(list.sources.github).toMatch(/^unreachable: .*ECONNREFUSED/);
      expect(list.versions.map((v) => v.kind)).toEqual(['tag', 'tag', 'commit', 'commit']);
    } finally {
      offline.cleanup();
    }
  });
});
