import { gitIn } from '../util/git.js';
import { newestFirst } from './semver.js';

/**
 * The one way a version is named, everywhere (status, history, confirmations,
 * notifications): the tag of its commit, the highest version when it has
 * several, else the short sha. A rollback to v1.0.0's commit is "v1.0.0".
 */
export type TagNames = ReadonlyMap<string, string>;

const NO_TAGS: TagNames = new Map();

/** "v1.0.0" or "4c04bff" (or '—' when there is no commit). */
export function versionName(
  commit: string | null | undefined,
  tags: TagNames = NO_TAGS,
  recordedTag: string | null = null,
): string {
  if (!commit) return recordedTag ?? '—';
  return tags.get(commit) ?? recordedTag ?? commit.slice(0, 7);
}

/** "v1.0.0 (4c04bff)", or just "4c04bff" for a commit without a tag. */
export function versionLabel(
  commit: string | null | undefined,
  tags: TagNames = NO_TAGS,
  recordedTag: string | null = null,
): string {
  const name = versionName(commit, tags, recordedTag);
  return commit && name !== commit.slice(0, 7) ? `${name} (${commit.slice(0, 7)})` : name;
}

/** Commit sha → its best tag, read from the compose repo; empty when it is not a repo or git fails. */
export async function readTagNames(dir: string): Promise<TagNames> {
  try {
    const out = await gitIn(dir).raw([
      'for-each-ref',
      '--format=%(refname:strip=2)%00%(*objectname)%00%(objectname)',
      'refs/tags',
    ]);
    const pairs = out
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\0'))
      .map(([name, peeled, sha]) => ({ name: name!, sha: peeled || sha! }));
    const names = new Map<string, string>();
    // Best first, so the first tag seen for a commit is the one it is named by.
    for (const t of newestFirst(
      pairs,
      (p) => p.name,
      () => 0,
    ))
      if (!names.has(t.sha)) names.set(t.sha, t.name);
    return names;
  } catch {
    return NO_TAGS;
  }
}

/** The tag a commit is named by, or null. */
export async function tagOf(dir: string, commit: string | null): Promise<string | null> {
  return commit ? ((await readTagNames(dir)).get(commit) ?? null) : null;
}
