import { describe, expect, it } from 'vitest';
import {
  appStateOf,
  type AppStateInput,
  type FinishedOperation,
  type ServiceFacts,
} from '../../src/deploy/appState.js';

/** The one rule of the app's state, from facts alone; test/ui/appState.test.ts shows it on a real daemon. */
const up = (name: string, health = 'healthy'): ServiceFacts => ({
  name,
  containers: [{ name: `app-${name}-1`, state: 'running', health }],
  drift: false,
});
const stopped = (name: string): ServiceFacts => ({
  name,
  containers: [{ name: `app-${name}-1`, state: 'stopped', health: 'unhealthy' }],
  drift: false,
});
const op = (id: number, status: FinishedOperation['status'], kind: FinishedOperation['kind'] = 'deploy') => ({
  id,
  kind,
  ref: 'v2.0.0',
  status,
  error: `${status} error`,
  finishedAt: '2034-01-01T00:00:00.000Z',
});
const base: AppStateInput = {
  services: [up('backend'), up('worker', 'none')],
  current: { id: 4, kind: 'deploy', images: { backend: 'repo@sha256:aa', worker: 'repo@sha256:aa' } },
  since: [],
  operation: null,
};
const state = (over: Partial<AppStateInput>) => appStateOf({ ...base, ...over });

describe('appStateOf', () => {
  it('healthy: every managed container runs and passes its healthcheck (or has none); nothing to offer', () => {
    expect(state({})).toMatchObject({ state: 'healthy', problems: [], currentRuns: true, actions: [] });
  });

  it('down: a service with no serving container, named with its container; restart and roll back offered', () => {
    const s = state({ services: [stopped('backend'), up('worker')] });
    expect(s.state).toBe('down');
    expect(s.summary).toBe('the app is down: service backend is down: app-backend-1 stopped');
    expect(s.currentRuns).toBe(false);
    expect(s.actions).toEqual([{ kind: 'restart' }, { kind: 'rollback', deploymentId: 4 }]);
    expect(state({ services: [up('backend', 'unhealthy')] }).state).toBe('down');
    expect(state({ services: [{ name: 'backend', containers: [], drift: false }] }).problems).toEqual([
      'service backend is down: no container',
    ]);
  });

  it('degraded: one of two replicas stopped, a container still starting, or drift', () => {
    const twoReplicas: ServiceFacts = {
      name: 'backend',
      containers: [...up('backend').containers, { name: 'app-backend-2', state: 'stopped', health: 'none' }],
      drift: false,
    };
    expect(state({ services: [twoReplicas] })).toMatchObject({ state: 'degraded', currentRuns: true });
    expect(state({ services: [up('backend', 'starting')] }).state).toBe('degraded');
    expect(state({ services: [{ ...up('backend'), drift: true }] }).problems).toEqual([
      'service backend is degraded: runs another image than the one pinned',
    ]);
  });

  it('failed: a rollback-failed deploy after the current one stands, and is opened and rolled back from', () => {
    const s = state({ since: [op(5, 'rollback-failed')] });
    expect(s).toMatchObject({ state: 'failed', failed: { id: 5 } });
    expect(s.problems).toEqual(['operation #5 (deploy v2.0.0) ended rollback-failed: rollback-failed error']);
    expect(s.actions).toEqual([
      { kind: 'restart' },
      { kind: 'rollback', deploymentId: 5 },
      { kind: 'open', deploymentId: 5 },
    ]);
    // With the app down too, down is the word, and both problems are listed.
    expect(state({ services: [stopped('backend')], since: [op(5, 'rollback-failed')] })).toMatchObject({
      state: 'down',
      problems: [expect.stringContaining('service backend'), expect.stringContaining('#5')],
    });
    // A restore that failed half-way stands too; failures that changed nothing, or were undone, do not.
    expect(state({ since: [op(6, 'failed', 'restore')] }).state).toBe('failed');
    for (const harmless of [op(6, 'failed'), op(6, 'rolled-back'), op(6, 'interrupted'), op(6, 'failed', 'rollback')])
      expect(state({ since: [harmless] }).state).toBe('healthy');
  });

  it('unfinished: an orphaned operation is opened, and nothing else offered until recovery ran', () => {
    const s = state({ operation: { state: 'orphaned', operation: 'deploy v2.0.0', deploymentId: 7 } });
    expect(s).toMatchObject({ state: 'unfinished', actions: [{ kind: 'open', deploymentId: 7 }] });
  });

  it('busy: a running operation offers nothing (its services are in flux), the state is still computed', () => {
    const s = state({
      services: [stopped('backend')],
      operation: { state: 'running', operation: 'deploy v2.0.0', deploymentId: 8 },
    });
    expect(s).toMatchObject({ state: 'down', busy: true, actions: [] });
  });

  it('unknown: Docker cannot be asked; the records still tell a failure; no version is said to run', () => {
    const s = state({ services: null, servicesError: 'connect ENOENT /var/run/docker.sock' });
    expect(s).toMatchObject({ state: 'unknown', currentRuns: false });
    expect(s.summary).toContain('connect ENOENT');
    expect(state({ services: null, since: [op(5, 'rollback-failed')] }).state).toBe('failed');
  });

  it('nothing recorded: no restart to offer, and no version runs by switchyard', () => {
    const s = state({ current: null, services: [stopped('backend')] });
    expect(s).toMatchObject({ state: 'down', currentRuns: false, actions: [] });
  });
});
