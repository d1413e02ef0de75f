import { listVersions } from '../versions/list.js';
import type { VersionList } from '../versions/types.js';
import type { RuntimeSource } from './runtime.js';

export type { Version, VersionList, CommitInfo } from '../versions/types.js';
export type { ChangedCommit, VersionChanges } from '../versions/changes.js';
export { parseConventional } from '../versions/conventional.js';
export type { AppState } from '../deploy/appState.js';

/** What can be deployed: releases, tags, commits and image tags, with the failed ones marked. */
export class Versions {
  constructor(private readonly runtime: RuntimeSource) {}

  /** The versions to pick from, the one running marked current and each that failed before with its deployment. */
  list(): Promise<VersionList> {
    const runtime = this.runtime();
    return listVersions(runtime, { currentSha: runtime.store.deployments.current()?.commit ?? null });
  }
}
