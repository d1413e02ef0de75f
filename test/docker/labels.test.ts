import { describe, expect, it } from 'vitest';
import { projectLabelFilters, serviceLabelFilters, serviceOfLabels } from '../../src/docker/labels.js';

describe('container labels of a compose project or a swarm stack', () => {
  it("asks compose's labels and the stack's task labels", () => {
    expect(serviceLabelFilters('shop', 'backend')).toEqual([
      ['com.docker.compose.project=shop', 'com.docker.compose.service=backend'],
      ['com.docker.stack.namespace=shop', 'com.docker.swarm.service.name=shop_backend'],
    ]);
    expect(projectLabelFilters('shop')).toEqual([
      ['com.docker.compose.project=shop'],
      ['com.docker.stack.namespace=shop'],
    ]);
  });

  it("names a container's service under either engine, and only for this project", () => {
    const compose = { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'db' };
    const task = { 'com.docker.stack.namespace': 'shop', 'com.docker.swarm.service.name': 'shop_my_worker' };
    expect(serviceOfLabels(compose, 'shop')).toBe('db');
    expect(serviceOfLabels(task, 'shop')).toBe('my_worker');
    expect(serviceOfLabels(task, 'other')).toBeUndefined();
    expect(serviceOfLabels({ 'com.docker.stack.namespace': 'shop' }, 'shop')).toBeUndefined();
    expect(serviceOfLabels(undefined, 'shop')).toBeUndefined();
  });
});
