/**
 * Picking a version to deploy. Caches (GitHub responses with ETags, git fetch
 * throttle, registry answers) live in a VersionCaches that the Context owns.
 */
export type { Version, VersionCheck, VersionList, CommitInfo } from './types.js';
export { listVersions } from './list.js';
export { VersionCaches } from './cache.js';
export { parseConventional } from './conventional.js';
export { validateRef, resolveRef, fillTagTemplate, type ResolvedRef } from './ref.js';
export { versionName, versionLabel, readTagNames, tagOf, type TagNames } from './naming.js';
