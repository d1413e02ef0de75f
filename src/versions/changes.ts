import type { SimpleGit } from 'simple-git';
import { gitIn } from '../util/git.js';
import { oneLine } from '../errors.js';
import type { Redact } from '../util/redact.js';

/**
 * What changes between the running version and a target: the commits between
 * them (subject, author, date), the migration files that differ, and the
 * annotated tag's message (release notes when GitHub gives none). Read from
 * the compose repo with git; never throws: `error` says why a part is missing.
 */
export interface ChangedCommit {
  sha: string;
  subject: string;
  author: string;
  /** Committer date, ISO 8601 in UTC. */
  date: string;
}

export interface VersionChanges {
  from: string | null;
  to: string;
  /**
   * forward: `to` descends from `from` (commits are added); backward: `to` is
   * an ancestor (commits are taken away, e.g. a rollback); diverged: neither
   * (both lists given); same; unknown: no running commit, or git failed.
   */
  direction: 'forward' | 'backward' | 'diverged' | 'same' | 'unknown';
  /** Newest first, at most MAX_COMMITS: in `to` but not in `from`. */
  added: ChangedCommit[];
  /** Newest first, at most MAX_COMMITS: in `from` but not in `to` (what going there takes away). */
  removed: ChangedCommit[];
  /** More commits than listed, in either list. */
  truncated: boolean;
  /** Migration files that differ between the two commits, with git's status letter (A added, M, D, R…). */
  migrations: Array<{ status: string; path: string }>;
  /** The annotated tag's message, when `tag` is annotated and has one. */
  tagMessage: string | null;
  error: string | null;
}

export const MAX_COMMITS = 100;
const SHA = /^[0-9a-f]{40}$/;
const FIELD = '\x00';
const RECORD = '\x1e';

export async function versionChanges(
  dir: string,
  input: { from: string | null; to: string; tag: string | null; migrationPaths: readonly string[] },
  /** The error is part of a plan, shown as it is by the API, the UI and the CLI. */
  redactor: Redact,
): Promise<VersionChanges> {
  const git = gitIn(dir, { timeout: { block: 15_000 } });
  const result: VersionChanges = {
    from: input.from,
    to: input.to,
    direction: 'unknown',
    added: [],
    removed: [],
    truncated: false,
    migrations: [],
    tagMessage: null,
    error: null,
  };
  try {
    result.tagMessage = input.tag ? await annotatedTagMessage(git, input.tag) : null;
    if (!input.from || !SHA.test(input.from) || !SHA.test(input.to)) return result;
    if (input.from === input.to) return { ...result, direction: 'same' };
    const [added, removed] = await Promise.all([
      commitsBetween(git, input.from, input.to),
      commitsBetween(git, input.to, input.from),
    ]);
    result.added = added.slice(0, MAX_COMMITS);
    result.removed = removed.slice(0, MAX_COMMITS);
    result.truncated = added.length > MAX_COMMITS || removed.length > MAX_COMMITS;
    result.direction = removed.length === 0 ? 'forward' : added.length === 0 ? 'backward' : 'diverged';
    result.migrations = await changedMigrations(git, input.from, input.to, input.migrationPaths);
  } catch (e) {
    result.error = redactor.redact(oneLine(e)).slice(0, 300);
  }
  return result;
}

async function commitsBetween(git: SimpleGit, from: string, to: string): Promise<ChangedCommit[]> {
  const out = await git.raw([
    'log',
    `--max-count=${MAX_COMMITS + 1}`,
    '--format=%H%x00%s%x00%an%x00%cI%x1e',
    '--end-of-options',
    `${from}..${to}`,
    '--',
  ]);
  return out
    .split(RECORD)
    .map((r) => r.replace(/^\n/, ''))
    .filter(Boolean)
    .map((r) => {
      const [sha = '', subject = '', author = '', date = ''] = r.split(FIELD);
      return { sha, subject: subject.trim(), author, date: new Date(date).toISOString() };
    });
}

async function changedMigrations(git: SimpleGit, from: string, to: string, globs: readonly string[]) {
  // Pathspec magic ":(glob)" makes "**" match across directories, the root included; "--" keeps them paths.
  const out = await git.raw([
    'diff',
    '--name-status',
    '--no-renames',
    from,
    to,
    '--',
    ...globs.map((g) => `:(glob)${g}`),
  ]);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [status = '?', ...rest] = line.split('\t');
      return { status: status.slice(0, 1), path: rest.join('\t') };
    });
}

/** The message of an annotated tag (not of a lightweight one, whose "message" is the commit's). */
async function annotatedTagMessage(git: SimpleGit, tag: string): Promise<string | null> {
  const out = await git.raw(['for-each-ref', '--format=%(objecttype)%00%(contents)', `refs/tags/${tag}`]);
  const [type, ...message] = out.split(FIELD);
  if (type !== 'tag') return null;
  const text = message
    .join(FIELD)
    .replace(/-----BEGIN PGP SIGNATURE-----[\s\S]*$/, '')
    .trim();
  return text || null;
}
