/** The public shapes of the version list (re-exported from index.ts). */

import type { FailedDeployment } from '../store/index.js';

export type CheckState = 'passed' | 'failed' | 'pending';

export interface VersionCheck {
  name: string;
  state: CheckState;
}

export interface CommitInfo {
  /** Conventional-commit type (feat, fix, ...), lower-cased; null when the subject is not conventional. */
  type: string | null;
  scope: string | null;
  breaking: boolean;
  /** The subject without the "type(scope)!: " prefix, or the whole first line. */
  subject: string;
  author: string;
  /** Committer date, ISO 8601 in UTC. */
  date: string;
}

export interface Version {
  /** Full commit sha; '' only for a GitHub release whose commit could not be found (see merge.ts). */
  sha: string;
  sha7: string;
  kind: 'release' | 'tag' | 'commit';
  /** The tag name for release/tag, the sha7 for a commit. */
  ref: string;
  /** Release name. */
  name: string | null;
  /** Release body (markdown). */
  notes: string | null;
  /** Release date, ISO 8601. */
  publishedAt: string | null;
  prerelease: boolean;
  /** Null when the commit is not in the local repo (a release known only from GitHub). */
  commit: CommitInfo | null;
  ci: { state: CheckState | 'unknown'; checks: VersionCheck[] };
  /** Every managed service's image exists in its registry for this version. */
  images: { available: boolean; missing: string[] };
  /** sha === options.currentSha. */
  current: boolean;
  /** Its last failed deploy (id, time, headline), unless a later deploy of it succeeded; null when none. */
  failed: FailedDeployment | null;
  /** images.available: the version can be deployed without building anything. */
  deployable: boolean;
}

export interface VersionList {
  /** Newest first. */
  versions: Version[];
  /**
   * How each source answered, one line each:
   * git: 'ok' | 'fetch failed: …' (local data still listed) | 'not a git repository: …' | 'failed: …'
   * github: 'ok' | 'partial: …' (releases listed, some CI states missing) | 'not configured' | 'unreachable: …'
   */
  sources: { git: string; github: string };
}
