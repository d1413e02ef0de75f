import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeploymentEvents } from '../../src/ops/events.js';
import { followDeployment, type FollowEvent } from '../../src/ops/follow.js';
import { openStore, type Store } from '../../src/store/index.js';

/**
 * followDeployment against a real SQLite journal, with the operation "in another process": its
 * steps and output land in the journal but never on this process's live events.
 */
describe('followDeployment', () => {
  let dir: string;
  let store: Store;
  let events: DeploymentEvents;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-follow-'));
    store = openStore(dir);
    events = new DeploymentEvents();
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const create = () => store.deployments.create({ kind: 'deploy', ref: 'v1', commit: null, tag: null, actor: 'test' });

  async function collect(id: number, act: (seen: FollowEvent[]) => void, options = { pollMs: 10, keepaliveMs: 40 }) {
    const seen: FollowEvent[] = [];
    for await (const event of followDeployment({ deployments: store.deployments, events }, id, options)) {
      seen.push(event);
      act(seen);
    }
    return seen;
  }

  it('replays a finished deployment from the journal, then ends with done', async () => {
    const id = create();
    const step = store.deployments.beginStep(id, 'resolve');
    store.deployments.endStep(id, step, 'ok', null, {});
    store.deployments.appendOutput(id, 'line 1');
    store.deployments.finish(id, 'succeeded');
    const seen = await collect(id, () => {});
    expect(seen.map((e) => e.type)).toEqual(['replay', 'done']);
    expect(seen[0]).toMatchObject({ steps: [{ name: 'resolve', status: 'ok' }], output: ['line 1'] });
  });

  it('follows an operation of another process through the journal, with keepalives while it is quiet', async () => {
    const id = create();
    const first = store.deployments.beginStep(id, 'resolve');
    let phase = 0;
    const seen = await collect(id, (so) => {
      const last = so.at(-1)!;
      if (phase === 0 && last.type === 'replay') {
        phase = 1;
        store.deployments.endStep(id, first, 'ok', null, {});
        store.deployments.appendOutput(id, 'pulled');
      } else if (phase === 1 && last.type === 'keepalive') {
        phase = 2;
        const up = store.deployments.beginStep(id, 'up');
        store.deployments.appendOutput(id, 'Container backend Started');
        store.deployments.endStep(id, up, 'ok', null, {});
        store.deployments.finish(id, 'succeeded');
      }
    });
    const shown = seen.map((e) =>
      e.type === 'step' ? `step ${e.step.name}:${e.step.status}` : e.type === 'log' ? `log ${e.line}` : e.type,
    );
    expect(shown[0]).toBe('replay');
    expect(shown).toContain('step resolve:ok');
    expect(shown).toContain('log pulled');
    expect(shown).toContain('keepalive');
    expect(shown.slice(shown.indexOf('keepalive'))).toEqual([
      'keepalive',
      'step up:ok',
      'log Container backend Started',
      'done',
    ]);
  });

  it('sends a live event once even when the journal is read in between', async () => {
    const id = create();
    const seen = await collect(id, (so) => {
      if (so.length !== 1) return;
      const seq = store.deployments.appendOutput(id, 'live line');
      events.emit(id, { type: 'log', line: 'live line', seq });
      setTimeout(() => {
        store.deployments.finish(id, 'succeeded');
        events.emit(id, { type: 'done', deployment: store.deployments.get(id)! });
      }, 30);
    });
    expect(seen.filter((e) => e.type === 'log')).toHaveLength(1);
    expect(seen.at(-1)?.type).toBe('done');
  });

  it('stops when its signal aborts', async () => {
    const id = create();
    const stop = new AbortController();
    const seen: FollowEvent[] = [];
    for await (const event of followDeployment({ deployments: store.deployments, events }, id, {
      signal: stop.signal,
      pollMs: 5_000,
    })) {
      seen.push(event);
      stop.abort();
    }
    expect(seen.map((e) => e.type)).toEqual(['replay']);
  });
});
