import type { Config } from '../config/index.js';
import type { DeploymentLog } from '../store/deployments.js';
import { oneLine } from '../errors.js';
import { unknownCi, type CiStatus } from './ci.js';
import type { VersionCaches } from './cache.js';
import { GitHubSource } from './github.js';
import { checkImages, type ImageAvailability, type ImageCheckPorts } from './images.js';
import { readLocalHistory } from './local.js';
import { mergeVersions, type DraftVersion } from './merge.js';
import type { Version, VersionList } from './types.js';

/** The list reads git, GitHub when configured, and the registries (through checkImages), each through its cache. */
export interface VersionListPorts extends ImageCheckPorts {
  config: Pick<Config, 'github' | 'project' | 'services' | 'registries'>;
  versionCaches: VersionCaches;
  /** Which versions failed when deployed: read per call, like `current` (the listing itself is shared). */
  store: { deployments: Pick<DeploymentLog, 'failedVersions'> };
}

const DEFAULT_LIMIT = 30;
const MAX_LIMIT = 200;
/** Only the newest versions get CI and registry questions: they are the ones anyone deploys, and it saves rate limit. */
const CHECK_WINDOW = 15;

/**
 * The versions an operator can pick from: the compose repo's tags and the
 * default branch's last `limit` commits, enriched with GitHub releases and CI
 * when `github` is configured and answers, and with whether every managed
 * service's image is in its registry. Never throws: a source that fails is
 * reported in `sources` and the others are still listed.
 * Callers that ask while a listing of the same repo, sources and limit is being computed share it
 * (VersionCaches.listings); each gets its own `current` and `failed`.
 */
export async function listVersions(
  ports: VersionListPorts,
  options: { currentSha?: string | null; limit?: number } = {},
): Promise<VersionList> {
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);
  const { github, project, services, registries } = ports.config;
  // Everything the listing reads of the config: a reloaded config never joins a listing of the old one.
  const key = JSON.stringify([limit, github, project, services, registries]);
  const shared = await ports.versionCaches.listings.run(key, () => computeList(ports, limit));
  const current = (v: Version) => v.sha !== '' && v.sha === options.currentSha;
  const failed = ports.store.deployments.failedVersions();
  return {
    versions: shared.versions.map((v) => ({ ...v, current: current(v), failed: failed.get(v.sha) ?? null })),
    sources: shared.sources,
  };
}

async function computeList(ports: VersionListPorts, limit: number): Promise<VersionList> {
  const caches = ports.versionCaches;
  const github = ports.config.github ? new GitHubSource(ports.config.github, ports.log, ports.redactor, caches) : null;
  // Independent sources, asked at once: a slow GitHub costs its timeout once, not on top of git.
  const [local, releases] = await Promise.all([
    readLocalHistory(ports.config.project.dir, limit, ports.log, caches),
    // On failure github.status() says why; the local versions are listed regardless.
    github ? github.releases().catch(() => null) : Promise.resolve(null),
  ]);
  const githubAnswered = releases !== null;

  const drafts = mergeVersions(local, releases ?? [], limit);
  const withCommit = drafts.filter((d) => d.sha !== '');
  const checked = withCommit.slice(0, CHECK_WINDOW);
  const imageQuery = (d: DraftVersion) => ({ sha: d.sha, tag: d.kind === 'commit' ? null : d.ref });
  const [ci, images, olderImages] = await Promise.all([
    github && githubAnswered ? github.ciStatuses(checked.map((d) => d.sha)) : new Map<string, CiStatus>(),
    checkImages(ports, checked.map(imageQuery)),
    // Older versions show what is already known, without asking the registry.
    checkImages(ports, withCommit.slice(CHECK_WINDOW).map(imageQuery), {
      ask: false,
      notAskedReason: `not checked: only the newest ${CHECK_WINDOW} versions are`,
    }),
  ]).catch((e: unknown) => {
    // Not expected (each part reports its own failures), but a listing must not fail on enrichment.
    ports.log.warn('versions: enrichment failed', { error: oneLine(e) });
    return [
      new Map<string, CiStatus>(),
      new Map<string, ImageAvailability>(),
      new Map<string, ImageAvailability>(),
    ] as const;
  });

  const versions = drafts.map((d): Version => {
    const available = images.get(d.sha) ??
      olderImages.get(d.sha) ?? {
        available: false,
        missing: [
          `the commit of release ${d.ref} is unknown: its tag is not in the local repo (git fetch) and the release names no commit sha`,
        ],
      };
    return {
      ...d,
      ci: ci.get(d.sha) ?? unknownCi(),
      images: available,
      current: false, // per caller, in listVersions
      failed: null, // per caller, in listVersions
      deployable: available.available,
    };
  });
  const sources = { git: local.status, github: github ? github.status() : 'not configured' };
  ports.log.debug('versions listed', { count: versions.length, ...sources });
  return { versions, sources };
}
