import { describe, expect, it } from 'vitest';
import { swarmNodeView } from '../../src/swarm/nodeView.js';
import type { ServiceFacts } from '../../src/swarm/tasks.js';
import { D1, D2, task } from '../fixtures/swarmFacts.js';

const PINS = { backend: `r/app@${D2}`, worker: `r/app@${D2}` };
const service = (name: string, over: Partial<ServiceFacts> = {}): ServiceFacts => ({
  name,
  image: `r/app:v2@${D2}`,
  replicas: 1,
  constraints: [],
  update: null,
  tasks: [task({})],
  ...over,
});

describe('swarmNodeView (which node runs what digest, and the drift from the pins)', () => {
  it('lists the tasks that should run, node by node, pinned or not; no drift when every replica runs the pin', () => {
    const facts = {
      backend: service('backend', {
        replicas: 2,
        tasks: [
          task({ node: 'n2' }),
          task({ node: 'n1' }),
          task({ node: 'n1', desired: 'shutdown', state: 'shutdown', image: `r/app:v1@${D1}` }),
        ],
      }),
      worker: service('worker'),
    };
    const view = swarmNodeView(['backend', 'worker'], facts, PINS);
    expect(view.tasks).toEqual([
      { node: 'n1', service: 'backend', state: 'running', digest: D2, pinned: true },
      { node: 'n2', service: 'backend', state: 'running', digest: D2, pinned: true },
      { node: 'n1', service: 'worker', state: 'running', digest: D2, pinned: true },
    ]);
    expect(view.drift).toEqual([]);
    expect(view.imageDrift).toEqual([]);
  });

  it('a task on another digest is drift naming its node; the other replica stays pinned', () => {
    const facts = {
      backend: service('backend', { replicas: 2, tasks: [task({}), task({ node: 'n2', image: `r/app:hand@${D1}` })] }),
    };
    const view = swarmNodeView(['backend'], facts, PINS);
    expect(view.tasks.map((t) => [t.node, t.pinned])).toEqual([
      ['n1', true],
      ['n2', false],
    ]);
    expect(view.drift).toEqual([`service backend runs r/app:hand@${D1} on n2 instead of r/app@${D2}`]);
    expect(view.imageDrift).toEqual(['backend']);
  });

  it('fewer running tasks than replicas is drift naming the node whose task does not run, and why', () => {
    const facts = {
      backend: service('backend', {
        replicas: 3,
        tasks: [task({}), task({ node: 'n2', state: 'rejected', error: 'no such image' })],
      }),
    };
    const view = swarmNodeView(['backend'], facts, PINS);
    expect(view.drift).toEqual([
      'service backend runs 1 of 3 replicas (n2: rejected: no such image; 1 not scheduled on any node)',
    ]);
    expect(view.imageDrift).toEqual([]);
  });

  it('a global service wants the tasks Swarm scheduled; a replica still starting counts as not running', () => {
    const facts = {
      worker: service('worker', { replicas: null, tasks: [task({}), task({ node: 'n2', state: 'starting' })] }),
    };
    expect(swarmNodeView(['worker'], facts, PINS).drift).toEqual([
      'service worker runs 1 of 2 replicas (n2: starting)',
    ]);
  });

  it('nothing pinned yet: tasks shown with pinned null and no digest drift; a pinned service gone from the stack is drift', () => {
    const view = swarmNodeView(['backend', 'worker'], { backend: service('backend') }, { worker: PINS.worker });
    expect(view.tasks).toEqual([{ node: 'n1', service: 'backend', state: 'running', digest: D2, pinned: null }]);
    expect(view.drift).toEqual(['service worker is not in the stack']);
  });

  it('an image Swarm did not resolve to a digest shows as its reference and is not the pin', () => {
    const facts = { worker: service('worker', { tasks: [task({ image: 'r/app:latest' })] }) };
    const view = swarmNodeView(['worker'], facts, PINS);
    expect(view.tasks[0]).toMatchObject({ digest: 'r/app:latest', pinned: false });
    expect(view.drift).toEqual([`service worker runs r/app:latest on n1 instead of r/app@${D2}`]);
  });
});
