import { describe, expect, it } from 'vitest';
import { withoutTag } from '../../src/app/ports/swarm.js';
import { type ServiceFacts, swarmServiceProblem } from '../../src/swarm/tasks.js';
import { D1, D2, task } from '../fixtures/swarmFacts.js';

const PIN = `r/app@${D2}`;
const service = (over: Partial<ServiceFacts>): ServiceFacts => ({
  name: 'backend',
  image: `r/app@${D2}`,
  replicas: 2,
  constraints: [],
  update: { state: 'completed', message: '' },
  tasks: [task({}), task({ node: 'n2' })],
  ...over,
});

describe('swarmServiceProblem (when a stack service counts as deployed at its pin)', () => {
  it('every replica running the pinned digest: none', () => {
    expect(swarmServiceProblem('backend', service({}), PIN)).toBeNull();
  });

  it('names a missing service, another spec, a paused update', () => {
    expect(swarmServiceProblem('backend', undefined, PIN)).toBe('service backend is not in the stack');
    expect(swarmServiceProblem('backend', service({ image: `r/app@${D1}` }), PIN)).toMatch(/is specified with/);
    expect(
      swarmServiceProblem(
        'backend',
        service({ update: { state: 'paused', message: 'update paused due to failure' } }),
        PIN,
      ),
    ).toBe('service backend: update paused: update paused due to failure');
  });

  it('counts replicas still starting (healthcheck not passed) or on the old digest, with the last failure', () => {
    const starting = service({ tasks: [task({}), task({ state: 'starting' })] });
    expect(swarmServiceProblem('backend', starting, PIN)).toBe('service backend: 1 of 2 tasks run the pinned image');
    const old = service({
      tasks: [
        task({}),
        task({ image: `r/app@${D1}` }),
        task({ desired: 'shutdown', state: 'failed', error: 'task: non-zero exit (1)', node: 'n2' }),
      ],
    });
    expect(swarmServiceProblem('backend', old, PIN)).toBe(
      'service backend: 1 of 2 tasks run the pinned image (last failure on n2: task: non-zero exit (1))',
    );
  });
});

describe('withoutTag', () => {
  it("makes Swarm's repo:tag@digest a pin, leaves a tag-only reference alone", () => {
    expect(withoutTag(`127.0.0.1:5000/a/app:v2@${D2}`)).toBe(`127.0.0.1:5000/a/app@${D2}`);
    expect(withoutTag(`127.0.0.1:5000/a/app@${D2}`)).toBe(`127.0.0.1:5000/a/app@${D2}`);
    expect(withoutTag('127.0.0.1:5000/a/app:latest')).toBe('127.0.0.1:5000/a/app:latest');
  });
});
