import { Redactor } from '../../src/util/redact.js';
import { describe, expect, it } from 'vitest';
import {
  buildFailureReport,
  failingContainers,
  failureReportOf,
  failureReportsOf,
  reasonOf,
} from '../../src/deploy/diagnosis.js';
import type { ContainerFacts } from '../../src/docker/containerFacts.js';
import type { ContainerPort } from '../../src/docker/containerPort.js';

const container = (over: Partial<ContainerFacts>): ContainerFacts => ({
  id: `id-${over.name ?? 'x'}`,
  name: 'app-backend-1',
  service: 'backend',
  state: 'running',
  exitCode: null,
  oomKilled: false,
  health: 'healthy',
  healthChecks: [],
  ...over,
});

const fakePort = (all: ContainerFacts[], logs: Record<string, string[]>): ContainerPort => ({
  projectContainers: async () => all,
  logs: async (id, lines) => {
    if (!(id in logs)) throw new Error('No such container');
    return logs[id]!.slice(-lines);
  },
});

describe('failure report (pure rules, fake Docker)', () => {
  it('picks the unhealthy and exited containers of any service, the database included', () => {
    const all = [
      container({ name: 'app-db-1', service: 'db', state: 'exited', exitCode: 1, health: 'unhealthy' }),
      container({ name: 'app-backend-1', service: 'backend', health: 'unhealthy' }),
      container({ name: 'app-worker-1', service: 'worker', health: 'none' }),
    ];
    expect(failingContainers(all, ['backend', 'worker']).map((c) => c.service)).toEqual(['db', 'backend']);
  });

  it('falls back to the managed services when every container looks fine (the health URL failed)', () => {
    const all = [
      container({ service: 'db', name: 'db' }),
      container({ service: 'backend', name: 'b' }),
      container({ service: 'redis', name: 'r', health: 'none' }),
    ];
    expect(failingContainers(all, ['backend']).map((c) => c.name)).toEqual(['b']);
  });

  it('says why in one line: the last health check, the exit code, out of memory', () => {
    const checks = [
      { at: '2026-01-01T00:00:01Z', exitCode: 0, output: 'ok' },
      { at: '2026-01-01T00:00:02Z', exitCode: 1, output: 'wget: server returned error: HTTP/1.1 404 Not Found\nmore' },
    ];
    expect(reasonOf(container({ health: 'unhealthy', healthChecks: checks }))).toBe(
      'is unhealthy: last health check exited 1: wget: server returned error: HTTP/1.1 404 Not Found',
    );
    expect(reasonOf(container({ state: 'exited', exitCode: 3 }))).toBe('exited with code 3');
    expect(reasonOf(container({ state: 'exited', exitCode: 137, oomKilled: true }))).toBe(
      'exited with code 137 (killed: out of memory)',
    );
    expect(reasonOf(container({ state: 'restarting' }))).toBe('is restarting');
    expect(reasonOf(container({ health: 'starting' }))).toBe('is starting (no health check has finished yet)');
  });

  it('names the failing services in the headline and keeps the last 200 log lines of each', async () => {
    const lines = Array.from({ length: 250 }, (_, i) => `line ${i + 1}`);
    const port = fakePort(
      [
        container({
          id: 'b',
          service: 'backend',
          health: 'unhealthy',
          healthChecks: [{ at: 'x', exitCode: 1, output: 'refused' }],
        }),
        container({ id: 'w', name: 'app-worker-1', service: 'worker', state: 'exited', exitCode: 2 }),
        container({ id: 'd', name: 'app-db-1', service: 'db' }),
      ],
      { b: lines, w: ['panic: no config'] },
    );
    const report = await buildFailureReport(
      port,
      {
        project: 'app',
        managed: ['backend', 'worker'],
        step: 'up',
        error: 'compose | noise',
      },
      new Redactor(),
    );
    expect(report.headline).toBe(
      'service backend is unhealthy: last health check exited 1: refused; service worker exited with code 2',
    );
    expect(report.containers.map((c) => c.service)).toEqual(['backend', 'worker']);
    expect(report.containers[0]!.logs).toHaveLength(200);
    expect(report.containers[0]!.logs[0]).toBe('line 51');
    expect(report.containers[1]!.logs).toEqual(['panic: no config']);
    expect(report.error).toBe('compose | noise');
  });

  it("keeps going when one container's logs cannot be read, saying so", async () => {
    const port = fakePort([container({ id: 'gone', health: 'unhealthy' })], {});
    const report = await buildFailureReport(
      port,
      { project: 'app', managed: ['backend'], step: 'health', error: 'e' },
      new Redactor(),
    );
    expect(report.containers[0]!.logs).toEqual(['(logs not readable: No such container)']);
  });

  it('uses the step error as the headline when no container fails', async () => {
    const report = await buildFailureReport(
      fakePort([container({ id: 'b' })], { b: [] }),
      {
        project: 'app',
        managed: ['backend'],
        step: 'health',
        error: 'unhealthy: http://127.0.0.1:1/health did not answer 2xx within 5s (HTTP 500)',
      },
      new Redactor(),
    );
    expect(report.headline).toBe('unhealthy: http://127.0.0.1:1/health did not answer 2xx within 5s (HTTP 500)');
    expect(report.containers).toHaveLength(1);
  });

  it('finds the journaled report among the steps, and nothing when there is none', () => {
    const step = (name: string, status: 'ok' | 'failed', detail: unknown) => ({
      seq: 1,
      name,
      status,
      startedAt: '',
      finishedAt: '',
      error: null,
      detail,
    });
    const report = { step: 'up', headline: 'h', containers: [], error: 'e' };
    expect(failureReportOf([step('up', 'failed', null), step('diagnose', 'ok', report)])).toEqual(report);
    // The automatic rollback's own failure is kept too, after the first: `failure` stays the first.
    const undo = { step: 'rollback: up', headline: 'u', containers: [], error: 'e2' };
    const both = [
      step('up', 'failed', null),
      step('diagnose', 'ok', report),
      step('rollback: up', 'failed', null),
      step('diagnose', 'ok', undo),
    ];
    expect(failureReportsOf(both)).toEqual([report, undo]);
    expect(failureReportOf(both)).toEqual(report);
    expect(failureReportOf([step('up', 'failed', null)])).toBeNull();
    expect(failureReportOf([step('diagnose', 'failed', null)])).toBeNull();
  });
});
