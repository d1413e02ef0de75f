import { describe, expect, it } from 'vitest';
import { chooseStrategy, planSwitches, type ComposeServiceShape } from '../../src/compose/strategy.js';

const healthy: ComposeServiceShape = { healthcheck: { test: ['CMD', 'true'] } };

describe('the switch strategy of a managed service, from its compose config', () => {
  it('is start-first for a service with a healthcheck, no fixed name, no host port, one container', () => {
    expect(chooseStrategy('backend', healthy, 'auto')).toEqual({
      service: 'backend',
      strategy: 'start-first',
      reason: null,
    });
    expect(chooseStrategy('backend', { ...healthy, deploy: { replicas: 1 } }, 'start-first').strategy).toBe(
      'start-first',
    );
  });

  it.each<[string, ComposeServiceShape, RegExp]>([
    ['no healthcheck', {}, /no healthcheck/],
    ['a disabled healthcheck', { healthcheck: { disable: true } }, /no healthcheck/],
    ['healthcheck NONE', { healthcheck: { test: ['NONE'] } }, /no healthcheck/],
    ['container_name', { ...healthy, container_name: 'api' }, /container_name api/],
    ['a published port', { ...healthy, ports: [{ published: '8080', target: 80 }] }, /publishes port 8080:80/],
    ['two replicas', { ...healthy, deploy: { replicas: 2 } }, /runs 2 containers/],
    ['scale 3', { ...healthy, scale: 3 }, /runs 3 containers/],
    ['host networking', { ...healthy, network_mode: 'host' }, /network_mode host/],
    ['an anonymous volume', { ...healthy, volumes: [{ type: 'volume', target: '/data' }] }, /anonymous volume \/data/],
  ])('is stop-first with %s, and says why', (_, shape, why) => {
    const auto = chooseStrategy('backend', shape, 'auto');
    expect(auto.strategy).toBe('stop-first');
    expect(auto.reason).toMatch(why);
    const forced = chooseStrategy('backend', shape, 'start-first');
    expect(forced.strategy).toBe('stop-first');
    expect(forced.reason).toMatch(/^start-first is configured but cannot work: /);
  });

  it('keeps a named volume and a bind mount start-first', () => {
    const shape = {
      ...healthy,
      volumes: [
        { type: 'volume', source: 'data', target: '/data' },
        { type: 'bind', source: '/srv', target: '/srv' },
      ],
    };
    expect(chooseStrategy('backend', shape, 'auto').strategy).toBe('start-first');
  });

  it('is stop-first where configured, and for a managed service compose does not know', () => {
    expect(
      planSwitches({ backend: healthy, worker: healthy }, { worker: 'stop-first', backend: 'auto', ghost: 'auto' }),
    ).toEqual([
      { service: 'backend', strategy: 'start-first', reason: null },
      { service: 'ghost', strategy: 'stop-first', reason: 'not in the compose files' },
      { service: 'worker', strategy: 'stop-first', reason: 'configured (strategy: stop-first)' },
    ]);
  });
});
