import type { GitHubRelease } from './github.js';
import type { LocalCommit, LocalHistory } from './local.js';
import { parseConventional } from './conventional.js';
import { newestFirst as semverNewestFirst } from './semver.js';
import type { CommitInfo, Version } from './types.js';

/** A version before CI, images and "current" are known. */
export type DraftVersion = Omit<Version, 'ci' | 'images' | 'current' | 'failed' | 'deployable'>;

const FULL_SHA = /^[0-9a-f]{40}$/;

/**
 * One entry per commit, newest first. A commit with a release is a 'release'
 * (ref = its tag), else with a tag a 'tag', else a 'commit' (ref = sha7).
 *
 * A release is placed on the commit of the local tag of the same name; failing
 * that (tag not fetched), on its target_commitish when that is a full sha
 * (releases created from a commit). Otherwise its commit is unknown: it is still
 * listed, with sha '' (see list.ts: not deployable), rather than silently dropped.
 *
 * Ordering (semver.ts): tags and releases whose name is a semantic version by
 * that version, newest first; then the others by release date for releases and
 * commit date otherwise; commits of the same second keep git log's order.
 */
export function mergeVersions(local: LocalHistory, releases: readonly GitHubRelease[], limit: number): DraftVersion[] {
  const commitsBySha = new Map<string, LocalCommit>();
  for (const tag of local.tags) commitsBySha.set(tag.commit.sha, tag.commit);
  for (const c of local.commits) commitsBySha.set(c.sha, c);
  const tagSha = new Map(local.tags.map((t) => [t.name, t.commit.sha]));
  const logOrder = new Map(local.commits.map((c, i) => [c.sha, i]));

  const entries = new Map<string, DraftVersion>();
  const draftFor = (sha: string): DraftVersion => {
    let draft = entries.get(sha);
    if (!draft) {
      const known = commitsBySha.get(sha);
      draft = blankDraft(sha, known ? commitInfo(known) : null);
      entries.set(sha, draft);
    }
    return draft;
  };

  for (const c of local.commits) draftFor(c.sha);
  for (const tag of local.tags) {
    const draft = draftFor(tag.commit.sha);
    // Tags come highest version first (local.ts); a commit with several tags shows the first.
    if (draft.kind === 'commit') Object.assign(draft, { kind: 'tag', ref: tag.name });
  }

  const newestFirst = [...releases].sort((a, b) => time(b.published_at) - time(a.published_at));
  let added = 0;
  for (const release of newestFirst) {
    const sha =
      tagSha.get(release.tag_name) ?? (FULL_SHA.test(release.target_commitish) ? release.target_commitish : null);
    // Releases enrich listed commits freely; new entries are capped like tags and commits.
    const listed = sha !== null && entries.has(sha);
    if (!listed && added >= limit) continue;
    if (!listed) added++;
    const draft = sha ? draftFor(sha) : blankDraft('', null);
    if (!sha) entries.set(`release:${release.tag_name}`, draft);
    if (draft.kind === 'release') continue; // an older release of the same commit
    Object.assign(draft, {
      kind: 'release',
      ref: release.tag_name,
      name: release.name || null,
      notes: release.body || null,
      publishedAt: release.published_at,
      prerelease: release.prerelease,
    });
  }

  const sortTime = (v: DraftVersion) => time(v.kind === 'release' ? v.publishedAt : (v.commit?.date ?? null));
  const position = (v: DraftVersion) => logOrder.get(v.sha) ?? Number.MAX_SAFE_INTEGER;
  const byLogOrder = [...entries.values()].sort((a, b) => position(a) - position(b));
  return semverNewestFirst(byLogOrder, (v) => (v.kind === 'commit' ? null : v.ref), sortTime);
}

function blankDraft(sha: string, commit: CommitInfo | null): DraftVersion {
  const sha7 = sha.slice(0, 7);
  return {
    sha,
    sha7,
    kind: 'commit',
    ref: sha7,
    name: null,
    notes: null,
    publishedAt: null,
    prerelease: false,
    commit,
  };
}

function commitInfo(c: LocalCommit): CommitInfo {
  return { ...parseConventional(c.subject), author: c.author, date: c.date };
}

function time(iso: string | null): number {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? 0 : t;
}
