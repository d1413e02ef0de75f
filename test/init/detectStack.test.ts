import { describe, expect, it } from 'vitest';
import { chooseProject, runningStacksOf, type StackSource } from '../../src/init/detect.js';
import { matchingStacks, type StackService } from '../../src/swarm/cluster.js';
import { renderConfig } from '../../src/init/render.js';
import { parseConfig } from '../../src/config/index.js';

const D = `sha256:${'a'.repeat(64)}`;
const IMAGES = { backend: 'ghcr.io/acme/app:latest', worker: 'ghcr.io/acme/app:latest', db: 'postgres:15' };

/** The services `docker stack deploy` of these files would make as stack `stack`, with the images as Swarm records them. */
const stackOf = (stack: string, over: Record<string, string> = {}): StackService[] =>
  Object.entries({
    backend: `ghcr.io/acme/app:latest@${D}`,
    worker: `ghcr.io/acme/app@${D}`,
    db: `postgres:15@${D}`,
    ...over,
  }).map(([service, image]) => ({ stack, name: `${stack}_${service}`, image, constraints: [] }));

describe('matchingStacks (which stack runs these compose files)', () => {
  it('a stack with exactly the files’ services on their image repositories, pinned or tagged', () => {
    expect(matchingStacks(IMAGES, stackOf('shop'))).toEqual(['shop']);
    expect(matchingStacks(IMAGES, stackOf('shop', { db: `docker.io/library/postgres:15@${D}` }))).toEqual(['shop']);
  });

  it('not a stack of other images (another app with the same service names), nor one missing or adding a service', () => {
    expect(matchingStacks(IMAGES, stackOf('other', { backend: `ghcr.io/acme/other:latest@${D}` }))).toEqual([]);
    expect(
      matchingStacks(
        IMAGES,
        stackOf('short').filter((s) => s.name !== 'short_worker'),
      ),
    ).toEqual([]);
    const extra = [
      ...stackOf('big'),
      { stack: 'big', name: 'big_cron', image: 'ghcr.io/acme/app:latest', constraints: [] },
    ];
    expect(matchingStacks(IMAGES, extra)).toEqual([]);
    expect(matchingStacks({}, stackOf('shop'))).toEqual([]);
  });

  it('every match, sorted; through the port as a fake engine lists them', async () => {
    const source: StackSource = {
      stackServices: async () => [...stackOf('b'), ...stackOf('a'), ...stackOf('x', { db: 'redis:7' })],
    };
    expect(await runningStacksOf(IMAGES, source)).toEqual(['a', 'b']);
  });
});

describe('chooseProject (compose or swarm, under which name)', () => {
  it('--stack is taken as given; a compose project running from the dir keeps compose', () => {
    expect(chooseProject({ explicitStack: 'mine', running: ['p'], stacks: ['a', 'b'] })).toEqual({
      projectName: null,
      stack: 'mine',
    });
    expect(chooseProject({ running: ['p'], stacks: ['a'] })).toEqual({ projectName: 'p', stack: null });
    expect(chooseProject({ running: ['p', 'q'], stacks: [] })).toEqual({ projectName: null, stack: null });
  });

  it('one stack: swarm; none: compose; several: a one-line error asking for --stack', () => {
    expect(chooseProject({ running: [], stacks: ['shop'] })).toEqual({ projectName: null, stack: 'shop' });
    expect(chooseProject({ running: [], stacks: [] })).toEqual({ projectName: null, stack: null });
    expect(() => chooseProject({ running: [], stacks: ['a', 'b'] })).toThrow(
      /^several swarm stacks run these compose files \(a, b\); pass --stack NAME$/,
    );
  });

  it('a chosen stack is written as engine swarm, and the config parses', () => {
    const text = renderConfig({
      projectDir: '/srv/app',
      composeFiles: ['docker-compose.yml'],
      projectName: null,
      stack: 'shop',
      services: { backend: 'ghcr.io/acme/app' },
      database: { service: 'db', user: 'postgres', name: 'app' },
      githubRepo: null,
      stateDir: '/var/lib/switchyard',
      backupsDir: '/srv/backups',
      listen: '127.0.0.1:8090',
    });
    expect(parseConfig(text).project).toMatchObject({ engine: 'swarm', stack: 'shop' });
  });
});
