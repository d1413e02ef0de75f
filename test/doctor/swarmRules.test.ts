import { describe, expect, it } from 'vitest';
import {
  dbPlacementVerdict,
  isLoopbackRegistry,
  managerVerdict,
  noOffsiteVerdict,
  type RegistryFacts,
  registryCredentialsVerdict,
  stackVerdict,
} from '../../src/doctor/swarmRules.js';
import type { StackService } from '../../src/swarm/cluster.js';

const member = { state: 'active', manager: true, nodeId: 'abcdef0123456789', hostname: 'm1' };
const services = (stack: string, names: string[]): StackService[] =>
  names.map((n) => ({ stack, name: `${stack}_${n}`, image: 'r/app', constraints: [] }));
const registry = (over: Partial<RegistryFacts>): RegistryFacts => ({
  host: 'ghcr.io',
  services: ['backend'],
  loopback: false,
  credentials: null,
  problem: null,
  anonymous: null,
  ...over,
});

describe('swarm manager', () => {
  it('a manager passes; a worker or an engine outside a swarm fails with the fix', () => {
    expect(managerVerdict(member)).toMatchObject({ ok: true, detail: 'm1 is a swarm manager (node abcdef012345)' });
    expect(managerVerdict({ ...member, manager: false })).toMatchObject({
      ok: false,
      detail: 'this engine (m1) is a swarm worker, not a manager',
      fix: expect.stringContaining('one daemon per cluster'),
    });
    expect(managerVerdict({ ...member, state: 'inactive', manager: false })).toMatchObject({
      ok: false,
      detail: expect.stringContaining('LocalNodeState: inactive'),
    });
  });
});

describe('swarm stack running', () => {
  it('every compose service in the stack passes; a missing one is named', () => {
    expect(stackVerdict('shop', ['backend', 'db'], services('shop', ['backend', 'db']), [])).toMatchObject({
      ok: true,
      detail: 'stack "shop": 2 service(s)',
    });
    expect(stackVerdict('shop', ['backend', 'db'], services('shop', ['backend']), [])).toMatchObject({
      ok: false,
      detail: 'stack "shop" lacks service(s) db of the compose files',
    });
  });

  it('no such stack: fails, and names the stack that runs these files as the fix', () => {
    const r = stackVerdict('shopp', ['backend'], [], ['shop']);
    expect(r).toMatchObject({
      ok: false,
      detail: 'no service of stack "shopp" on this swarm; stacks running these files: shop',
    });
    expect(r.fix).toContain('set project.stack: shop');
    expect(stackVerdict('shopp', ['backend'], [], []).fix).toContain('switchyard deploy');
  });
});

describe('database task on this node', () => {
  const placed = { service: 'db', thisNode: 'm1', constraints: [], otherNodes: 0 };

  it('on this node passes; elsewhere fails naming the node and how to pin it; none running fails', () => {
    expect(dbPlacementVerdict({ ...placed, runningOn: ['m1'] })).toMatchObject({ ok: true });
    const away = dbPlacementVerdict({ ...placed, runningOn: ['w2'] });
    expect(away).toMatchObject({
      ok: false,
      detail: 'service db runs on node w2, not on this node (m1): dumps and restores cannot reach it',
    });
    expect(away.fix).toContain('docker node update --label-add switchyard.db=true m1');
    expect(away.fix).toContain('deploy.placement.constraints: [node.labels.switchyard.db == true]');
    expect(dbPlacementVerdict({ ...placed, runningOn: [] })).toMatchObject({
      ok: false,
      detail: 'no running task of service db',
    });
  });

  it('on this node with other nodes: a warning unless a constraint pins it, which the detail names', () => {
    const loose = dbPlacementVerdict({ ...placed, runningOn: ['m1'], otherNodes: 2 });
    expect(loose).toMatchObject({ ok: true, warn: true, detail: expect.stringContaining('nothing pins it there') });
    expect(loose.fix).toContain('docker node update --label-add switchyard.db=true m1');
    const pinned = ['node.labels.switchyard.db == true'];
    expect(dbPlacementVerdict({ ...placed, runningOn: ['m1'], otherNodes: 2, constraints: pinned })).toEqual({
      ok: true,
      detail: 'service db runs on this node (m1), placed by node.labels.switchyard.db == true',
    });
  });
});

describe('registry credentials reach the other nodes', () => {
  it('a single node passes whatever the credentials (this manager pulls itself)', () => {
    const r = registryCredentialsVerdict([registry({})], 0);
    expect(r).toEqual({ ok: true, detail: 'ghcr.io: no credentials; 0 other node(s)' });
  });

  it('with other nodes: credentials from registries.* or docker login, or a public registry, pass', () => {
    const ok = registryCredentialsVerdict(
      [
        registry({ credentials: 'registries' }),
        registry({ host: 'docker.io', credentials: 'docker login' }),
        registry({ host: 'quay.io', anonymous: true }),
      ],
      2,
    );
    expect(ok).toMatchObject({ ok: true });
    expect(ok.warn).toBeUndefined();
    expect(ok.detail).toBe(
      'ghcr.io: registries.ghcr.io; docker.io: docker login on this manager; quay.io: answers without credentials; 2 other node(s)',
    );
  });

  it('with other nodes: a registry that needs credentials nobody has is a warning naming it', () => {
    const r = registryCredentialsVerdict([registry({ anonymous: false })], 1);
    expect(r).toMatchObject({ ok: true, warn: true });
    expect(r.detail).toContain('the other nodes cannot pull from ghcr.io');
    expect(r.fix).toContain('registries.<host>');
  });

  it('a loopback registry needs no credentials, but on other nodes it is their own loopback: a warning', () => {
    const loop = registry({ host: '127.0.0.1:5000', loopback: true });
    expect(registryCredentialsVerdict([loop], 0)).toMatchObject({
      ok: true,
      detail: '127.0.0.1:5000: loopback, none needed; 0 other node(s)',
    });
    expect(registryCredentialsVerdict([loop], 1)).toMatchObject({ ok: true, warn: true });
    expect(isLoopbackRegistry('127.0.0.1:5000')).toBe(true);
    expect(isLoopbackRegistry('localhost:5000')).toBe(true);
    expect(isLoopbackRegistry('[::1]:5000')).toBe(true);
    expect(isLoopbackRegistry('ghcr.io')).toBe(false);
    expect(isLoopbackRegistry('127.example.com')).toBe(false);
  });

  it('configured credentials that cannot be read fail', () => {
    const r = registryCredentialsVerdict(
      [registry({ problem: 'registries.ghcr.io.passwordEnv names X, which is not set' })],
      0,
    );
    expect(r).toMatchObject({ ok: false, detail: 'ghcr.io: registries.ghcr.io.passwordEnv names X, which is not set' });
  });
});

describe('backups go off-site', () => {
  it('no offsite: a failure under swarm, a plain note under compose', () => {
    expect(noOffsiteVerdict('swarm')).toMatchObject({ ok: false, fix: expect.stringContaining('configure offsite') });
    expect(noOffsiteVerdict('compose')).toMatchObject({ ok: true });
  });
});
