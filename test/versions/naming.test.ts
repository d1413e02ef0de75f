import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTagNames, tagOf, versionLabel, versionName } from '../../src/versions/naming.js';
import { commit, git, sampleHistory, type SampleHistory } from './gitRepo.js';

describe('one name per version: its tag, else its short sha', () => {
  let repo: SampleHistory;
  beforeAll(() => {
    repo = sampleHistory();
    // A second, higher tag on v1.1.0's commit, and a non-version tag: the highest version names it.
    git(repo.dir, ['tag', 'v1.1.1', repo.c3]);
    git(repo.dir, ['tag', 'latest-good', repo.c3]);
    commit(repo.dir, 'chore: untagged', '2026-01-05T10:00:00Z');
  });
  afterAll(() => repo.cleanup());

  it('reads every tag, annotated ones peeled to their commit, the highest version first', async () => {
    const tags = await readTagNames(repo.dir);
    expect(tags.get(repo.c2)).toBe('v1.0.0'); // annotated
    expect(tags.get(repo.c3)).toBe('v1.1.1');
    expect(tags.has(repo.c4)).toBe(false);
    expect(await tagOf(repo.dir, repo.c2)).toBe('v1.0.0');
    expect(await tagOf(repo.dir, repo.c4)).toBeNull();
  });

  it('names a commit by its tag with the short sha beside it, and an untagged one by its short sha', async () => {
    const tags = await readTagNames(repo.dir);
    expect(versionName(repo.c2, tags)).toBe('v1.0.0');
    expect(versionLabel(repo.c2, tags)).toBe(`v1.0.0 (${repo.c2.slice(0, 7)})`);
    expect(versionName(repo.c4, tags)).toBe(repo.c4.slice(0, 7));
    expect(versionLabel(repo.c4, tags)).toBe(repo.c4.slice(0, 7));
    // A tag recorded with the deployment names it when the repo no longer has it.
    expect(versionName(repo.c4, tags, 'v0.9.0')).toBe('v0.9.0');
    expect(versionName(null, tags)).toBe('—');
  });

  it('gives no names, without failing, for a directory that is not a repository', async () => {
    expect((await readTagNames('/nonexistent/dir')).size).toBe(0);
  });
});
