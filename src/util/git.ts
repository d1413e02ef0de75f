import { simpleGit, type SimpleGit, type SimpleGitOptions } from 'simple-git';
import { childEnv } from './process.js';

/** git in `dir`, with a child's minimal environment (plus the ssh agent, for fetching over ssh). */
export function gitIn(dir: string, options: Partial<SimpleGitOptions> = {}): SimpleGit {
  const { SSH_AUTH_SOCK, GIT_SSH_COMMAND } = process.env;
  return simpleGit({ ...options, baseDir: dir }).env(childEnv({ SSH_AUTH_SOCK, GIT_SSH_COMMAND }));
}
