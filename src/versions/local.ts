import fs from 'node:fs';
import type { SimpleGit } from 'simple-git';
import { gitIn } from '../util/git.js';
import { oneLine } from '../errors.js';
import type { Logger } from '../util/log.js';
import { maskUrlSecrets } from '../util/redact.js';
import { type GitFetchCache, TTL } from './cache.js';
import { newestFirst } from './semver.js';

export interface LocalCommit {
  sha: string;
  subject: string;
  author: string;
  /** Committer date, ISO 8601 in UTC. */
  date: string;
}

export interface LocalTag {
  name: string;
  /** The commit the tag points at (annotated tags peeled). */
  commit: LocalCommit;
}

export interface LocalHistory {
  /** 'ok', 'fetch failed: …' (the rest was still read), 'not a git repository: …' or 'failed: …'. */
  status: string;
  /** Highest semantic version first, then other tags newest commit first; at most `limit`. */
  tags: LocalTag[];
  /** The default branch's last `limit` commits, newest first (git log order). */
  commits: LocalCommit[];
}

/** A local command gets this long without output; also bounds `git fetch`, which runs --quiet. */
const GIT_TIMEOUT_MS = 15_000;
const FIELD = '\x00';
const RECORD = '\x1e';

/**
 * Reads the compose repo: `git fetch --tags` from origin (at most every
 * TTL.gitFetch; a failure is reported, never thrown), the tags, and the last
 * `limit` commits of the default branch. Never throws.
 */
export async function readLocalHistory(
  dir: string,
  limit: number,
  log: Logger,
  fetches: GitFetchCache,
): Promise<LocalHistory> {
  const empty = (status: string): LocalHistory => ({ status, tags: [], commits: [] });
  if (!fs.existsSync(dir)) return empty(`not a git repository: ${dir} does not exist`);
  try {
    // git inherits the daemon's environment (GIT_SSH_COMMAND for a deploy key works). No .env() with
    // GIT_TERMINAL_PROMPT=0: simple-git then vets the whole environment as untrusted input and refuses
    // EDITOR, PAGER, GIT_SSH_COMMAND... Under systemd there is no terminal to prompt on; elsewhere
    // the timeout ends a prompt nobody answers.
    const git = gitIn(dir, { timeout: { block: GIT_TIMEOUT_MS } });
    if (!(await git.checkIsRepo())) return empty(`not a git repository: ${dir}`);
    const fetchStatus = await fetchTags(git, dir, log, fetches);
    const [tags, commits] = await Promise.all([readTags(git), readBranchCommits(git, limit)]);
    const ordered = newestFirst(
      tags,
      (t) => t.name,
      (t) => Date.parse(t.commit.date),
    );
    return { status: fetchStatus, tags: ordered.slice(0, limit), commits };
  } catch (e) {
    log.warn('versions: reading the git repo failed', { dir, error: oneLine(e) });
    return empty(`failed: ${gitError(e)}`);
  }
}

async function fetchTags(git: SimpleGit, dir: string, log: Logger, fetches: GitFetchCache): Promise<string> {
  const previous = fetches.gitFetches.get(dir);
  if (previous && fetches.now() - previous.at < TTL.gitFetch) return previous.status;
  const remotes = await git.getRemotes();
  let status = 'ok';
  if (remotes.some((r) => r.name === 'origin')) {
    try {
      await git.raw(['fetch', '--tags', '--quiet', 'origin']);
    } catch (e) {
      status = `fetch failed: ${gitError(e)}`;
      log.warn('versions: git fetch failed; listing what the local repo has', { dir, error: status });
    }
  }
  fetches.gitFetches.set(dir, { at: fetches.now(), status });
  return status;
}

async function readTags(git: SimpleGit): Promise<LocalTag[]> {
  // Annotated tags point at a tag object: the "*" fields are those of the commit it points at.
  const fields = [
    'refname:strip=2',
    'objecttype',
    'objectname',
    'subject',
    'authorname',
    'committerdate:iso-strict',
    '*objecttype',
    '*objectname',
    '*subject',
    '*authorname',
    '*committerdate:iso-strict',
  ];
  const format = `${fields.map((f) => `%(${f})`).join('%00')}%1e`;
  const out = await git.raw(['for-each-ref', `--format=${format}`, 'refs/tags']);
  const tags: LocalTag[] = [];
  for (const record of records(out)) {
    const [name, type, sha, subject, author, date, peeledType, peeledSha, peeledSubject, peeledAuthor, peeledDate] =
      record;
    if (!name) continue;
    if (type === 'commit') tags.push({ name, commit: commit(sha, subject, author, date) });
    // Tags of trees or blobs, and tags of tags (peeled only once here), are not versions.
    else if (type === 'tag' && peeledType === 'commit') {
      tags.push({ name, commit: commit(peeledSha, peeledSubject, peeledAuthor, peeledDate) });
    }
  }
  return tags;
}

/** origin/HEAD if the clone has one, else the checked-out branch, else HEAD itself (detached). */
async function defaultBranch(git: SimpleGit): Promise<string> {
  const symbolic = (args: string[]) =>
    git.raw(['symbolic-ref', '--quiet', ...args]).then(
      (s) => s.trim(),
      () => '',
    );
  const originHead = await symbolic(['refs/remotes/origin/HEAD']);
  if (originHead) return originHead;
  const branch = await symbolic(['HEAD']);
  return branch || 'HEAD';
}

async function readBranchCommits(git: SimpleGit, limit: number): Promise<LocalCommit[]> {
  const branch = await defaultBranch(git);
  // An unborn branch (no commit yet) has no history: not an error.
  const exists = await git.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${branch}^{commit}`]).then(
    (s) => s.trim() !== '',
    () => false,
  );
  if (!exists) return [];
  const out = await git.raw([
    'log',
    `--max-count=${limit}`,
    '--format=%H%x00%s%x00%an%x00%cI%x1e',
    '--end-of-options',
    branch,
    '--',
  ]);
  return records(out).map(([sha, subject, author, date]) => commit(sha, subject, author, date));
}

function records(out: string): string[][] {
  return out
    .split(RECORD)
    .map((r) => r.replace(/^\n/, ''))
    .filter((r) => r.length > 0)
    .map((r) => r.split(FIELD));
}

function commit(sha = '', subject = '', author = '', date = ''): LocalCommit {
  const time = Date.parse(date);
  return {
    sha,
    subject: subject.replace(/\s+/g, ' ').trim(),
    author,
    date: Number.isNaN(time) ? new Date(0).toISOString() : new Date(time).toISOString(),
  };
}

/** git's own last words (simple-git puts stderr in the message), one line, no credentials from remote URLs. */
function gitError(e: unknown): string {
  return maskUrlSecrets(oneLine(e)).slice(0, 300);
}
