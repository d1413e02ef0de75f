import type { Octokit } from '@octokit/rest';
import type { Config } from '../config/index.js';
import { oneLine } from '../errors.js';
import type { Logger } from '../util/log.js';
import type { Redact } from '../util/redact.js';
import { type GitHubCaches, TTL } from './cache.js';
import { combineCi, unknownCi, type CheckRun, type CiStatus, type CommitStatus } from './ci.js';

export type GitHubConfig = NonNullable<Config['github']>;

/** The fields of a GitHub release this module reads (GitHub's own names). */
export interface GitHubRelease {
  tag_name: string;
  name: string | null;
  body?: string | null;
  published_at: string | null;
  prerelease: boolean;
  draft: boolean;
  target_commitish: string;
}

/** A page load must not wait on GitHub for long; nothing is retried. */
const REQUEST_TIMEOUT_MS = 5_000;
/** Shas asked about at once (two requests each). */
const CI_CONCURRENCY = 4;

/** GitHub could not be asked (network, timeout, 5xx, auth, rate limit): the caller lists without it. */
class GitHubUnreachable extends Error {}

/**
 * Reads releases and CI states of one repo. Every GET goes through a hook that
 * serves a response younger than TTL.github from memory, and otherwise asks with
 * If-None-Match so an unchanged answer comes back as a 304, which GitHub does
 * not count against the rate limit.
 */
export class GitHubSource {
  private octokit: Promise<Octokit> | undefined;
  private readonly baseUrl: string;
  private readonly token: string | undefined;
  private readonly owner: string;
  private readonly repo: string;
  private readonly downKey: string;
  /** The first failure of this listing: later CI questions are not asked (a dead host would cost 5 s each). */
  private failure: string | null = null;
  private ciGaps = 0;

  constructor(
    config: GitHubConfig,
    private readonly log: Logger,
    /** Failures are kept and shown (the versions page, the API); the token is registered by the composition root. */
    private readonly redactor: Redact,
    /** The Context's: answers and a GitHub that is down are remembered across listings, not per source. */
    private readonly caches: GitHubCaches,
  ) {
    const [owner = '', repo = ''] = config.repo.split('/');
    this.owner = owner;
    this.repo = repo;
    const baseUrl = (config.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
    this.downKey = `${baseUrl}/repos/${config.repo}`;
    this.baseUrl = baseUrl;
    this.token = process.env[config.tokenEnv];
  }

  /**
   * Octokit, imported at the first request a process makes to GitHub (~250 ms to load; a daemon without
   * `github` in its config never loads it), and made once per source.
   */
  private client(): Promise<Octokit> {
    this.octokit ??= import('@octokit/rest').then(({ Octokit }) =>
      this.withCache(
        new Octokit({
          baseUrl: this.baseUrl,
          auth: this.token || undefined,
          userAgent: 'switchyard',
          // Octokit's request log reports each failed request as an error; this module reports failures itself, once.
          log: {
            debug: () => {},
            info: () => {},
            warn: (m: string) => this.log.warn(`github: ${m}`),
            error: (m: string) => this.log.debug(`github: ${m}`),
          },
        }),
      ),
    );
    return this.octokit;
  }

  private withCache(octokit: Octokit): Octokit {
    const caches = this.caches;
    octokit.hook.wrap('request', async (request, options) => {
      if (options.method !== 'GET') return request(options);
      const url = octokit.request.endpoint(options).url;
      const cached = caches.githubResponses.get(url);
      if (cached && caches.now() - cached.fetchedAt < TTL.github) {
        return { status: 200, url, headers: {}, data: cached.data };
      }
      // Changed in place: with other hooks registered (request-log), `request` is already bound to this object.
      if (cached?.etag) options.headers['if-none-match'] = cached.etag;
      // A fresh signal per request: one made at construction would expire for every later request.
      options.request = { ...options.request, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
      try {
        const response = await request(options);
        caches.rememberGithubResponse(url, {
          etag: response.headers.etag ?? null,
          data: response.data,
          fetchedAt: caches.now(),
        });
        return response;
      } catch (e) {
        // Octokit throws on 304; for us it means "what you have is still right".
        if (statusOf(e) === 304 && cached) {
          cached.fetchedAt = caches.now();
          return { status: 200, url, headers: {}, data: cached.data };
        }
        throw e;
      }
    });
    return octokit;
  }

  /** One line on how this listing went: 'ok', 'partial: …' or 'unreachable: …'. */
  status(): string {
    const down = this.caches.githubDown.get(this.downKey);
    if (down && this.caches.now() < down.until) return `unreachable: ${down.message}`;
    if (this.ciGaps > 0)
      return `partial: CI state unknown for ${this.ciGaps} version(s): ${this.failure ?? 'request failed'}`;
    return 'ok';
  }

  /** The newest 100 published releases (drafts have no tag to deploy); throws GitHubUnreachable. */
  async releases(): Promise<GitHubRelease[]> {
    const down = this.caches.githubDown.get(this.downKey);
    if (down && this.caches.now() < down.until) throw new GitHubUnreachable(down.message);
    try {
      const octokit = await this.client();
      const { data } = await octokit.repos.listReleases({ owner: this.owner, repo: this.repo, per_page: 100 });
      return (data as GitHubRelease[]).filter((r) => !r.draft);
    } catch (e) {
      const message = describe(e, this.redactor);
      this.caches.githubDown.set(this.downKey, { until: this.caches.now() + TTL.githubDown, message });
      this.log.warn('versions: GitHub unreachable; listing local versions only', { error: message });
      throw new GitHubUnreachable(message);
    }
  }

  /** CI states of the given shas (check runs and legacy statuses), a few at a time; never throws. */
  async ciStatuses(shas: readonly string[]): Promise<Map<string, CiStatus>> {
    const result = new Map<string, CiStatus>();
    let next = 0;
    const worker = async () => {
      while (next < shas.length) {
        const sha = shas[next++]!;
        result.set(sha, await this.ciStatus(sha));
      }
    };
    await Promise.all(Array.from({ length: Math.min(CI_CONCURRENCY, shas.length) }, worker));
    return result;
  }

  private async ciStatus(sha: string): Promise<CiStatus> {
    if (this.failure) {
      this.ciGaps++;
      return unknownCi();
    }
    const params = { owner: this.owner, repo: this.repo, ref: sha, per_page: 100 };
    try {
      const octokit = await this.client();
      const [runs, statuses] = await Promise.all([
        octokit.checks.listForRef(params).then((r) => r.data.check_runs as CheckRun[], noCommit<CheckRun>),
        octokit.repos
          .getCombinedStatusForRef(params)
          .then((r) => r.data.statuses as CommitStatus[], noCommit<CommitStatus>),
      ]);
      return combineCi(runs, statuses);
    } catch (e) {
      this.failure ??= describe(e, this.redactor);
      this.ciGaps++;
      this.log.debug('versions: CI state not available', { sha, error: describe(e, this.redactor) });
      return unknownCi();
    }
  }
}

/** A commit GitHub does not have (pushed nowhere yet) answers 404 or 422: it simply has no checks. */
function noCommit<T>(e: unknown): T[] {
  const status = statusOf(e);
  if (status === 404 || status === 422) return [];
  throw e;
}

function statusOf(e: unknown): number | undefined {
  const status = (e as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

/** One line: "HTTP 401 Bad credentials", "connect ECONNREFUSED 127.0.0.1:443", "no answer within 5 s". */
function describe(e: unknown, redactor: Redact): string {
  if ((e as { cause?: { name?: unknown } }).cause?.name === 'TimeoutError')
    return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  const status = statusOf(e);
  const message = redactor.redact(oneLine(e)).slice(0, 200);
  // Octokit reports network failures as status 500 too; only a real HTTP answer gets the prefix.
  const answered = status !== undefined && (e as { response?: unknown }).response !== undefined;
  return answered ? `HTTP ${status} ${message}` : message;
}
