import type { CheckState, VersionCheck } from './types.js';

/** The parts of GitHub's check-run and commit-status answers this module reads. */
export interface CheckRun {
  name: string;
  status: string;
  conclusion: string | null;
}
export interface CommitStatus {
  context: string;
  state: string;
}

export interface CiStatus {
  state: CheckState | 'unknown';
  checks: VersionCheck[];
}

/** A fresh object each time: versions must not share a mutable checks array. */
export const unknownCi = (): CiStatus => ({ state: 'unknown', checks: [] });

function checkRunState(run: CheckRun): CheckState {
  if (run.status !== 'completed') return 'pending'; // queued, in_progress, waiting, requested, pending
  switch (run.conclusion) {
    case 'success':
    case 'neutral':
    case 'skipped':
      return 'passed';
    case 'failure':
    case 'cancelled':
    case 'timed_out':
    case 'startup_failure':
      return 'failed';
    default:
      // action_required, stale, or no conclusion yet: nothing has passed, someone still has to act.
      return 'pending';
  }
}

function statusState(status: CommitStatus): CheckState {
  if (status.state === 'success') return 'passed';
  if (status.state === 'failure' || status.state === 'error') return 'failed';
  return 'pending';
}

/**
 * One CI verdict from check runs and legacy commit statuses. The combined
 * status's own `state` is deliberately ignored: GitHub reports "pending" when a
 * commit has no statuses at all, which would hide "unknown".
 */
export function combineCi(runs: readonly CheckRun[], statuses: readonly CommitStatus[]): CiStatus {
  const checks: VersionCheck[] = [
    ...runs.map((r) => ({ name: r.name, state: checkRunState(r) })),
    ...statuses.map((s) => ({ name: s.context, state: statusState(s) })),
  ];
  if (checks.length === 0) return unknownCi();
  const state: CheckState = checks.some((c) => c.state === 'failed')
    ? 'failed'
    : checks.some((c) => c.state === 'pending')
      ? 'pending'
      : 'passed';
  return { state, checks };
}
