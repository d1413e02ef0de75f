import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../fixtures/env.js';

/** git as a user would run it, isolated from the machine's git config, with fixed identities. */
export function git(cwd: string, args: string[], date?: string): string {
  const env = {
    ...process.env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Ada Lovelace',
    GIT_AUTHOR_EMAIL: 'ada@example.com',
    GIT_COMMITTER_NAME: 'Ada Lovelace',
    GIT_COMMITTER_EMAIL: 'ada@example.com',
    ...(date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}),
  };
  return run('git', args, { cwd, env }).trim();
}

export function commit(dir: string, message: string, date: string): string {
  fs.appendFileSync(path.join(dir, 'CHANGELOG'), `${message}\n`);
  git(dir, ['add', 'CHANGELOG']);
  git(dir, ['commit', '--quiet', '-m', message], date);
  return git(dir, ['rev-parse', 'HEAD']);
}

export interface SampleHistory {
  dir: string;
  /** Oldest first: c1 feat(api), c2 fix (annotated v1.0.0), c3 feat(ui)! (lightweight v1.1.0), c4 plain. */
  c1: string;
  c2: string;
  c3: string;
  c4: string;
  cleanup(): void;
}

/** A compose repo with conventional commits, an annotated and a lightweight tag, and a plain commit after them. */
export function sampleHistory(): SampleHistory {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-versions-repo-'));
  git(dir, ['init', '--quiet', '--initial-branch=main']);
  const c1 = commit(dir, 'feat(api): first endpoint', '2026-01-01T10:00:00Z');
  const c2 = commit(dir, 'fix: handle an empty body', '2026-01-02T10:00:00Z');
  git(dir, ['tag', '-a', 'v1.0.0', '-m', 'Version 1.0.0'], '2026-01-02T11:00:00Z');
  const c3 = commit(dir, 'feat(ui)!: new dashboard', '2026-01-03T10:00:00+02:00');
  git(dir, ['tag', 'v1.1.0']);
  const c4 = commit(dir, 'Update the readme', '2026-01-04T10:00:00Z');
  return { dir, c1, c2, c3, c4, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** `count` plain commits a day apart, oldest first. */
export function linearHistory(count: number): { dir: string; shas: string[]; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-versions-repo-'));
  git(dir, ['init', '--quiet', '--initial-branch=main']);
  const shas = Array.from({ length: count }, (_, i) =>
    commit(dir, `chore: step ${i + 1}`, new Date(Date.UTC(2026, 0, 1 + i)).toISOString()),
  );
  return { dir, shas, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
