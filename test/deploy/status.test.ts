import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import type { DockerClient } from '../../src/docker/client.js';
import { currentStatus, describeOperation, operationNow, type StatusPorts } from '../../src/deploy/status.js';
import { openStore, type Store } from '../../src/store/index.js';

/**
 * currentStatus's decisions (drift, the operation that holds the lock) against a fake engine: no
 * Docker. test/deploy/deploy.test.ts reads the status of a real deployment.
 */
interface FakeContainer {
  id: string;
  service: string;
  imageId: string;
  running?: boolean;
}

/** The three engine calls the status makes: list by labels, inspect a container, inspect an image. */
function fakeDocker(containers: FakeContainer[], images: Record<string, { Id: string; RepoDigests: string[] }>) {
  return {
    listContainers: async (o: { filters: { label: string[] } }) => {
      // The lookup also asks for a swarm stack's tasks (com.docker.stack.namespace): none here.
      const service = o.filters.label.find((l) => l.startsWith('com.docker.compose.service='))?.split('=')[1];
      return service ? containers.filter((c) => c.service === service).map((c) => ({ Id: c.id })) : [];
    },
    getContainer: (id: string) => ({
      inspect: async () => {
        const c = containers.find((x) => x.id === id)!;
        return { Name: `/app-${c.service}-1`, State: { Running: c.running ?? true }, Image: c.imageId };
      },
    }),
    getImage: (ref: string) => ({
      inspect: async () => {
        const image = images[ref] ?? Object.values(images).find((i) => i.Id === ref);
        if (!image) throw new Error(`no such image ${ref}`);
        return image;
      },
    }),
  } as unknown as DockerClient;
}

/** The manager's answers for a stack: one replicated service per entry, with one running task per listed node. */
function fakeSwarm(
  stack: string,
  services: Record<string, Array<{ node: string; image: string }>>,
  replicas: Record<string, number> = {},
) {
  return {
    listServices: async () =>
      Object.entries(services).map(([name, tasks]) => ({
        ID: name,
        Spec: {
          Name: `${stack}_${name}`,
          TaskTemplate: { ContainerSpec: { Image: tasks[0]!.image } },
          Mode: { Replicated: { Replicas: replicas[name] ?? tasks.length } },
        },
      })),
    listNodes: async () => [],
    listTasks: async (o: { filters: { service: string[] } }) =>
      services[o.filters.service[0]!]!.map((t) => ({
        NodeID: t.node,
        DesiredState: 'running',
        Status: { State: 'running' },
        Spec: { ContainerSpec: { Image: t.image } },
      })),
  };
}

let store: Store | undefined;
let root: string | undefined;
afterEach(() => {
  store?.close();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

function ports(docker: DockerClient, project = 'project: { dir: /srv/app }'): StatusPorts & { store: Store } {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-status-'));
  store = openStore(path.join(root, 'state'));
  const config = parseConfig(
    [
      project,
      'database: { service: db, name: app }',
      `stateDir: ${JSON.stringify(path.join(root, 'state'))}`,
      'services: { backend: { image: repo }, worker: { image: repo } }',
    ].join('\n'),
  );
  return { config, store, docker: () => docker, projectName: async () => 'app' };
}

describe('currentStatus with a fake engine', () => {
  it('calls a service drifted when a container runs another image than the pin, and names both', async () => {
    const docker = fakeDocker([{ id: 'c1', service: 'backend', imageId: 'img-old' }], {
      'repo@sha256:new': { Id: 'img-new', RepoDigests: ['repo@sha256:new'] },
      'img-old': { Id: 'img-old', RepoDigests: ['repo@sha256:old'] },
    });
    const p = ports(docker);
    const id = p.store.deployments.create({ kind: 'deploy', ref: 'v2', commit: 'c'.repeat(40), tag: 'v2', actor: 't' });
    p.store.deployments.setImages(id, { backend: 'repo@sha256:new', worker: 'repo@sha256:new' });
    p.store.deployments.finish(id, 'succeeded');

    const status = await currentStatus(p);
    expect(status.deployment).toMatchObject({ id, tag: 'v2' });
    expect(status.services).toEqual([
      {
        name: 'backend',
        pinned: 'repo@sha256:new',
        containers: [{ name: 'app-backend-1', state: 'running', health: 'none', image: 'repo@sha256:old' }],
        drift: true,
      },
      { name: 'worker', pinned: 'repo@sha256:new', containers: [], drift: false }, // no container: not drift
    ]);
    expect(status.drift).toEqual(['service backend runs repo@sha256:old instead of repo@sha256:new']);
    expect(status.operation).toBeNull();
    expect(status).not.toHaveProperty('nodes'); // compose answers stay as they were
  });

  it('under swarm, reads drift from the tasks on every node, not from the containers on this one', async () => {
    // This node's backend container runs the pin; the worker's one task runs elsewhere, on another digest.
    const docker = Object.assign(
      fakeDocker([{ id: 'c1', service: 'backend', imageId: 'img-new' }], {
        'repo@sha256:new': { Id: 'img-new', RepoDigests: ['repo@sha256:new'] },
      }),
      fakeSwarm('st', {
        backend: [{ node: 'n1', image: 'repo:v2@sha256:new' }],
        worker: [{ node: 'n2', image: 'repo:hand@sha256:old' }],
      }),
    );
    const p = ports(docker, 'project: { dir: /srv/app, engine: swarm, stack: st }');
    const id = p.store.deployments.create({ kind: 'deploy', ref: 'v2', commit: 'c'.repeat(40), tag: 'v2', actor: 't' });
    p.store.deployments.setImages(id, { backend: 'repo@sha256:new', worker: 'repo@sha256:new' });
    p.store.deployments.finish(id, 'succeeded');

    const status = await currentStatus(p);
    expect(status.nodes).toEqual([
      { node: 'n1', service: 'backend', state: 'running', digest: 'sha256:new', pinned: true },
      { node: 'n2', service: 'worker', state: 'running', digest: 'sha256:old', pinned: false },
    ]);
    expect(status.drift).toEqual(['service worker runs repo:hand@sha256:old on n2 instead of repo@sha256:new']);
    expect(status.services.map((s) => [s.name, s.drift])).toEqual([
      ['backend', false],
      ['worker', true],
    ]);
  });

  /** A stack whose tasks all run on the workers n1 and n2, none on this node, each on the pinned digest. */
  const onWorkers = (replicas: Record<string, number>) => {
    const docker = Object.assign(
      fakeDocker([], {}),
      fakeSwarm(
        'st',
        {
          backend: [{ node: 'n1', image: 'repo:v2@sha256:new' }],
          worker: [{ node: 'n2', image: 'repo:v2@sha256:new' }],
        },
        replicas,
      ),
    );
    const p = ports(docker, 'project: { dir: /srv/app, engine: swarm, stack: st }');
    const id = p.store.deployments.create({ kind: 'deploy', ref: 'v2', commit: 'c'.repeat(40), tag: 'v2', actor: 't' });
    p.store.deployments.setImages(id, { backend: 'repo@sha256:new', worker: 'repo@sha256:new' });
    p.store.deployments.finish(id, 'succeeded');
    return p;
  };

  it("under swarm, the app's state comes from the tasks on every node: served on the workers alone, it runs", async () => {
    const status = await currentStatus(onWorkers({}));
    expect(status.app).toMatchObject({ state: 'healthy', currentRuns: true, problems: [] });
  });

  it('under swarm, a service short of replicas is degraded, naming the replicas no node took', async () => {
    const status = await currentStatus(onWorkers({ backend: 3 }));
    expect(status.app.state).toBe('degraded');
    expect(status.app.problems).toEqual([
      'service backend is degraded: backend on n1 healthy, backend (not scheduled) stopped, backend (not scheduled) stopped',
    ]);
    expect(status.drift).toEqual(['service backend runs 1 of 3 replicas (2 not scheduled on any node)']);
  });

  it('shows the operation that holds the lock, and nothing pinned before the first deploy', async () => {
    const p = ports(fakeDocker([{ id: 'c1', service: 'backend', imageId: 'img-1' }], {}));
    const release = p.store.lock.acquire('backup (manual)');
    try {
      const status = await currentStatus(p);
      expect(status.operation).toMatchObject({ operation: 'backup (manual)', pid: process.pid });
      expect(status.services[0]).toMatchObject({ name: 'backend', pinned: null, drift: false });
      expect(status.drift).toEqual([]);
    } finally {
      release();
    }
  });
});

describe('the operation of the moment, and what recovery closed', () => {
  const holder = { operation: 'deploy v2', pid: 4242, bootId: 'b', acquiredAt: '2031-01-01T00:00:00.000Z' };
  const record = { id: 7, kind: 'deploy' as const, ref: 'v2', createdAt: '2031-01-01T00:00:01.000Z' };

  it('a live holder runs; a dead one, or a running record without a lock, is orphaned; neither is nothing', () => {
    expect(describeOperation(holder, true, record)).toEqual({
      state: 'running',
      operation: 'deploy v2',
      pid: 4242,
      acquiredAt: holder.acquiredAt,
      deploymentId: 7,
    });
    expect(describeOperation(holder, false, record)).toMatchObject({ state: 'orphaned', pid: 4242, deploymentId: 7 });
    expect(describeOperation(undefined, false, record)).toEqual({
      state: 'orphaned',
      operation: 'deploy v2',
      pid: null,
      acquiredAt: record.createdAt,
      deploymentId: 7,
    });
    expect(describeOperation(holder, false, undefined)).toMatchObject({ state: 'orphaned', deploymentId: null });
    expect(describeOperation(undefined, false, undefined)).toBeNull();
  });

  it('lists what recovery closed after the current deployment ended, by the time it was closed', () => {
    const p = ports(fakeDocker([], {}));
    const d = p.store.deployments;
    const superseded = d.create({ kind: 'deploy', ref: 'v1', commit: null, tag: null, actor: 't' });
    const current = d.create({ kind: 'deploy', ref: 'v2', commit: null, tag: null, actor: 't' });
    d.finish(current, 'succeeded', null, new Date('2031-01-01T00:00:00.000Z'));
    d.finish(superseded, 'superseded', 'superseded by deployment 2', new Date('2031-01-01T00:05:00.000Z'));
    expect(operationNow(p.store)).toEqual({
      operation: null,
      recovered: [expect.objectContaining({ id: superseded, status: 'superseded' })],
    });
    const next = d.create({ kind: 'deploy', ref: 'v3', commit: null, tag: null, actor: 't' });
    expect(operationNow(p.store).operation).toMatchObject({ state: 'orphaned', deploymentId: next, pid: null });
    d.finish(next, 'succeeded', null, new Date('2031-01-01T00:09:00.000Z'));
    expect(operationNow(p.store).recovered).toEqual([]);
  });
});
