import { createRequire } from 'node:module';
import type { SimpleGit, SimpleGitOptions, simpleGit as SimpleGitFactory } from 'simple-git';
import { childEnv } from './process.js';

/**
 * simple-git is loaded at the first git command a process runs, not when this module is imported (a backup
 * never runs git). Its CommonJS build, through `require`, keeps `gitIn` synchronous for its callers.
 */
let simpleGit: typeof SimpleGitFactory | undefined;

/** git in `dir`, with a child's minimal environment (plus the ssh agent, for fetching over ssh). */
export function gitIn(dir: string, options: Partial<SimpleGitOptions> = {}): SimpleGit {
  simpleGit ??= (createRequire(import.meta.url)('simple-git') as { simpleGit: typeof SimpleGitFactory }).simpleGit;
  const { SSH_AUTH_SOCK, GIT_SSH_COMMAND } = process.env;
  return simpleGit({ ...options, baseDir: dir }).env(childEnv({ SSH_AUTH_SOCK, GIT_SSH_COMMAND }));
}

/** Whether `dir` is inside a git work tree. */
export async function isGitRepo(dir: string): Promise<boolean> {
  return gitIn(dir)
    .revparse(['--is-inside-work-tree'])
    .then(
      (out) => out.trim() === 'true',
      () => false,
    );
}

/** HEAD of the compose repo, or null when project.dir is not a git repo. */
export async function headCommit(dir: string): Promise<string | null> {
  return (await isGitRepo(dir)) ? (await gitIn(dir).revparse(['HEAD'])).trim() : null;
}

/** Checks out `sha` as a detached HEAD, quietly. */
export async function checkoutCommit(dir: string, sha: string): Promise<void> {
  await gitIn(dir).raw(['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', sha, '--']);
}
