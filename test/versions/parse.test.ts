import { describe, expect, it } from 'vitest';
import { combineCi } from '../../src/versions/ci.js';
import { parseConventional } from '../../src/versions/index.js';

describe('conventional commit subjects', () => {
  it('reads type, scope and the breaking mark', () => {
    expect(parseConventional('feat(api): add search')).toEqual({
      type: 'feat',
      scope: 'api',
      breaking: false,
      subject: 'add search',
    });
    expect(parseConventional('fix!: drop the v1 route')).toEqual({
      type: 'fix',
      scope: null,
      breaking: true,
      subject: 'drop the v1 route',
    });
    expect(parseConventional('Refactor(db)!:  split the store')).toEqual({
      type: 'refactor',
      scope: 'db',
      breaking: true,
      subject: 'split the store',
    });
  });

  it('keeps anything else whole, with type null', () => {
    for (const line of [
      'Update the readme',
      'feature: not a known type',
      'feat:missing space',
      'feat(): empty scope',
      'Revert "feat: x"',
    ]) {
      expect(parseConventional(line)).toEqual({ type: null, scope: null, breaking: false, subject: line });
    }
  });
});

describe('CI state from check runs and commit statuses', () => {
  const run = (name: string, status: string, conclusion: string | null = null) => ({ name, status, conclusion });

  it('passes only when every check passed, skipped or was neutral', () => {
    const ci = combineCi(
      [run('build', 'completed', 'success'), run('docs', 'completed', 'skipped')],
      [{ context: 'deploy/preview', state: 'success' }],
    );
    expect(ci).toEqual({
      state: 'passed',
      checks: [
        { name: 'build', state: 'passed' },
        { name: 'docs', state: 'passed' },
        { name: 'deploy/preview', state: 'passed' },
      ],
    });
  });

  it('fails on any failure, cancellation or timeout, even while others run', () => {
    expect(combineCi([run('build', 'in_progress'), run('lint', 'completed', 'timed_out')], []).state).toBe('failed');
    expect(combineCi([run('build', 'completed', 'success')], [{ context: 'legacy', state: 'error' }]).state).toBe(
      'failed',
    );
  });

  it('is pending while anything is queued or running, and unknown with no checks at all', () => {
    expect(combineCi([run('build', 'queued'), run('lint', 'completed', 'success')], []).state).toBe('pending');
    expect(combineCi([], [{ context: 'legacy', state: 'pending' }]).state).toBe('pending');
    expect(combineCi([], [])).toEqual({ state: 'unknown', checks: [] });
  });
});
