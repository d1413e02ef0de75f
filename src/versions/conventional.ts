import type { CommitInfo } from './types.js';

const TYPES = ['feat', 'fix', 'chore', 'docs', 'refactor', 'perf', 'test', 'build', 'ci', 'style', 'revert'];

// type(scope)!: subject — the spec treats types case-insensitively; scope has no parentheses or line breaks.
const CONVENTIONAL = new RegExp(`^(${TYPES.join('|')})(?:\\(([^()\\r\\n]+)\\))?(!)?: +(\\S.*)$`, 'i');

/** The conventional-commit reading of a commit subject; a subject that does not follow it keeps type null. */
export function parseConventional(subject: string): Pick<CommitInfo, 'type' | 'scope' | 'breaking' | 'subject'> {
  const line = subject.trim();
  const match = CONVENTIONAL.exec(line);
  if (!match) return { type: null, scope: null, breaking: false, subject: line };
  return {
    type: match[1]!.toLowerCase(),
    scope: match[2]?.trim() || null,
    breaking: match[3] === '!',
    subject: match[4]!.trim(),
  };
}
