import { gitIn } from '../util/git.js';
import { inputError, notFound } from '../errors.js';

/**
 * A ref as an operator types it: a tag (v1.4.0), a branch (main) or a commit
 * sha. The pattern is deliberately narrower than git's: no leading "-" (never
 * an option), no "..", no "@{", no whitespace or shell characters.
 */
const REF = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/;

export function validateRef(ref: string): string {
  if (
    !REF.test(ref) ||
    ref.includes('..') ||
    ref.includes('//') ||
    ref.endsWith('/') ||
    ref.endsWith('.') ||
    ref.endsWith('.lock')
  ) {
    throw inputError(
      `invalid ref "${ref.slice(0, 80)}": use a tag, branch or commit sha (letters, digits, ".", "_", "-", "/")`,
    );
  }
  return ref;
}

export interface ResolvedRef {
  ref: string;
  sha: string;
  /** The tag pointing at this commit, when the ref was a tag. */
  tag: string | null;
}

/** Resolves a validated ref in the compose repo: tag, then local or remote branch, then commit sha. */
export async function resolveRef(dir: string, ref: string): Promise<ResolvedRef> {
  validateRef(ref);
  const git = gitIn(dir);
  const candidates: Array<[string, boolean]> = [
    [`refs/tags/${ref}`, true],
    [`refs/heads/${ref}`, false],
    [`refs/remotes/origin/${ref}`, false],
  ];
  if (/^[0-9a-f]{7,40}$/.test(ref)) candidates.push([ref, false]);
  for (const [name, isTag] of candidates) {
    const sha = await git.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${name}^{commit}`]).then(
      (out) => out.trim(),
      () => '',
    );
    if (/^[0-9a-f]{40}$/.test(sha)) return { ref, sha, tag: isTag ? ref : null };
  }
  throw notFound(`ref "${ref}" is not a tag, branch or commit of the compose repo in ${dir}`);
}

/** The tag template of a service, filled for a version. */
export function fillTagTemplate(template: string, version: { sha: string; tag: string | null }): string {
  return template
    .replaceAll('{sha7}', version.sha.slice(0, 7))
    .replaceAll('{sha}', version.sha)
    .replaceAll('{tag}', version.tag ?? version.sha.slice(0, 7));
}
