import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listVersions } from '../../src/versions/index.js';
import { testContext, type TestContext } from '../fixtures/context.js';
import { commit, git, sampleHistory, type SampleHistory } from './gitRepo.js';

const DATABASE = '{ service: db, name: app }';

describe('versions from the local repo alone', () => {
  let repo: SampleHistory;
  let ctx: TestContext;
  beforeEach(() => {
    repo = sampleHistory(); // and a fresh Context below, with its own VersionCaches
    ctx = testContext({ database: DATABASE, projectDir: repo.dir });
  });
  afterEach(() => {
    ctx.cleanup();
    repo.cleanup();
  });

  it('lists tags and commits newest first, with conventional types, marking the current one', async () => {
    const list = await listVersions(ctx, { currentSha: repo.c2 });

    expect(list.sources).toEqual({ git: 'ok', github: 'not configured' });
    // Tags first, by semantic version; then the other commits by date.
    expect(list.versions.map((v) => [v.kind, v.ref, v.sha])).toEqual([
      ['tag', 'v1.1.0', repo.c3],
      ['tag', 'v1.0.0', repo.c2], // annotated: peeled to its commit
      ['commit', repo.c4.slice(0, 7), repo.c4],
      ['commit', repo.c1.slice(0, 7), repo.c1],
    ]);
    const [c3, c2, c4, c1] = list.versions;
    expect(c4?.commit).toEqual({
      type: null,
      scope: null,
      breaking: false,
      subject: 'Update the readme',
      author: 'Ada Lovelace',
      date: '2026-01-04T10:00:00.000Z',
    });
    expect(c3?.commit).toMatchObject({
      type: 'feat',
      scope: 'ui',
      breaking: true,
      subject: 'new dashboard',
      date: '2026-01-03T08:00:00.000Z',
    });
    expect(c2?.commit).toMatchObject({ type: 'fix', scope: null, subject: 'handle an empty body' });
    expect(c1?.commit).toMatchObject({ type: 'feat', scope: 'api', subject: 'first endpoint' });
    expect(list.versions.map((v) => v.current)).toEqual([false, true, false, false]);
    for (const v of list.versions) {
      expect(v).toMatchObject({
        sha7: v.sha.slice(0, 7),
        name: null,
        notes: null,
        publishedAt: null,
        prerelease: false,
      });
      expect(v.ci).toEqual({ state: 'unknown', checks: [] });
      // No managed services: nothing to pull, so every version can be deployed.
      expect(v.images).toEqual({ available: true, missing: [] });
      expect(v.deployable).toBe(true);
    }
  });

  it('keeps the last `limit` commits of the branch, and tags older than them', async () => {
    const list = await listVersions(ctx, { limit: 2 });
    expect(list.versions.map((v) => v.ref)).toEqual(['v1.1.0', 'v1.0.0', repo.c4.slice(0, 7)]);
  });

  it('still lists what it has when `git fetch` fails, and says so', async () => {
    git(repo.dir, ['remote', 'add', 'origin', path.join(repo.dir, 'no-such-remote.git')]);
    const list = await listVersions(ctx);
    expect(list.sources.git).toMatch(/^fetch failed: .*no-such-remote/);
    expect(list.versions).toHaveLength(4);
  });
});

describe('versions from a clone', () => {
  let upstream: SampleHistory;
  let clone: string;
  let ctx: TestContext;
  beforeEach(() => {
    upstream = sampleHistory(); // and a fresh Context below: its first listing fetches
    clone = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-versions-clone-'));
    git(clone, ['clone', '--quiet', upstream.dir, '.']);
    ctx = testContext({ database: DATABASE, projectDir: clone });
  });
  afterEach(() => {
    ctx.cleanup();
    upstream.cleanup();
    fs.rmSync(clone, { recursive: true, force: true });
  });

  it("fetches new tags and follows origin's default branch, not the checked-out commit", async () => {
    git(clone, ['checkout', '--quiet', '--detach', upstream.c2]); // what a deployed project dir looks like
    const c5 = commit(upstream.dir, 'perf(db): faster search', '2026-01-05T10:00:00Z');
    git(upstream.dir, ['tag', 'v1.2.0']);

    const list = await listVersions(ctx);

    expect(list.sources.git).toBe('ok');
    expect(list.versions.map((v) => v.ref)).toEqual([
      'v1.2.0',
      'v1.1.0',
      'v1.0.0',
      upstream.c4.slice(0, 7),
      upstream.c1.slice(0, 7),
    ]);
    expect(list.versions[0]).toMatchObject({
      sha: c5,
      kind: 'tag',
      commit: { type: 'perf', scope: 'db', subject: 'faster search' },
    });
  });
});

describe('order: semantic versions, not commit dates', () => {
  it('lists v3, v2, v1 for tags made in the same second in another order, then other refs by date', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-versions-repo-'));
    const ctx = testContext({ database: DATABASE, projectDir: dir });
    try {
      git(dir, ['init', '--quiet', '--initial-branch=main']);
      const at = '2026-02-01T10:00:00Z'; // the demo's commits share a second
      for (const tag of ['v1.0.0', 'v3.0.0', 'v2.0.0', 'v10.0.0-rc.1', 'v10.0.0', 'release-candidate']) {
        commit(dir, `feat: ${tag}`, at);
        git(dir, ['tag', tag]);
      }
      const plain = commit(dir, 'chore: after the tags', '2026-02-02T10:00:00Z');
      const list = await listVersions(ctx);
      expect(list.versions.map((v) => v.ref)).toEqual([
        'v10.0.0',
        'v10.0.0-rc.1',
        'v3.0.0',
        'v2.0.0',
        'v1.0.0',
        plain.slice(0, 7),
        'release-candidate',
      ]);
    } finally {
      ctx.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a project dir that is not a git repository', () => {
  it('gives an empty list and says why', async () => {
    const ctx = testContext({ database: DATABASE });
    try {
      const list = await listVersions(ctx);
      expect(list.versions).toEqual([]);
      expect(list.sources.git).toMatch(/^not a git repository: /);
      expect(list.sources.github).toBe('not configured');
    } finally {
      ctx.cleanup();
    }
  });
});
