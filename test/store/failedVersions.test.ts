import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type DeploymentStatus, type Store } from '../../src/store/index.js';

const SHA = { v2: '2'.repeat(40), v3: '3'.repeat(40), v4: '4'.repeat(40) };

describe('failed versions: the last failed deploy of each commit', () => {
  let dir: string;
  let store: Store;
  afterEach(() => {
    store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function record(
    sha: string,
    status: Exclude<DeploymentStatus, 'running'>,
    diagnosis?: string,
    kind: 'deploy' | 'rollback' = 'deploy',
  ) {
    const id = store.deployments.create({ kind, ref: 'r', commit: sha, tag: null, actor: 't' });
    if (diagnosis) {
      const up = store.deployments.beginStep(id, 'up');
      store.deployments.endStep(id, up, 'failed', 'compose said no', undefined);
      const step = store.deployments.beginStep(id, 'diagnose');
      store.deployments.endStep(id, step, 'ok', null, { step: 'up', headline: diagnosis, containers: [], error: 'e' });
    }
    store.deployments.finish(id, status, status === 'succeeded' ? null : `deploy ${id} failed`);
    return id;
  }

  it('gives id, time and the first diagnosis; a later failure replaces an earlier; a later success clears it', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-failed-'));
    store = openStore(dir);
    record(SHA.v2, 'succeeded');
    record(SHA.v3, 'rolled-back', 'service backend is unhealthy');
    const second = record(SHA.v3, 'rollback-failed', 'service backend exited with code 2');
    record(SHA.v4, 'failed'); // failed before any change: no diagnosis, its error is the headline
    const v4ok = record(SHA.v4, 'succeeded');
    const v2failed = record(SHA.v2, 'failed');
    record(SHA.v2, 'rolled-back', undefined, 'rollback'); // a rollback is no deploy of the version

    const failed = store.deployments.failedVersions();
    expect(failed.get(SHA.v3)).toEqual({
      id: second,
      at: store.deployments.get(second)!.finishedAt,
      headline: 'up: service backend exited with code 2',
    });
    expect(failed.get(SHA.v2)).toMatchObject({ id: v2failed, headline: `deploy ${v2failed} failed` });
    expect(failed.has(SHA.v4)).toBe(false); // deployment v4ok succeeded after it failed
    expect(v4ok).toBeGreaterThan(0);
    expect([...failed.keys()].sort()).toEqual([SHA.v2, SHA.v3]);
  });
});
