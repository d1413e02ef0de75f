import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocker } from '../../src/docker/client.js';
import { imageExists } from '../../src/docker/registry.js';
import { listVersions } from '../../src/versions/index.js';
import { testContext, type TestContext } from '../fixtures/context.js';
import { hasDocker, need, run } from '../fixtures/env.js';
import { removeRepositoryFiles } from '../fixtures/registry.js';
import { linearHistory, sampleHistory, type SampleHistory } from './gitRepo.js';

const REGISTRY = '127.0.0.1:5000';
const hasRegistry = () =>
  spawnSync('curl', ['-fsS', '-o', '/dev/null', '--max-time', '3', `http://${REGISTRY}/v2/`], { stdio: 'ignore' })
    .status === 0;
const ready = need('Docker engine', hasDocker()) && need(`a Docker registry on ${REGISTRY}`, hasRegistry());

describe.runIf(ready)('image availability in the registry', () => {
  const id = randomBytes(4).toString('hex');
  const backend = `${REGISTRY}/sy-versions-test-${id}/app`;
  const worker = `${REGISTRY}/sy-versions-test-${id}/worker`;
  const PASSWORD_ENV = 'SY_VERSIONS_TEST_REGISTRY_PASSWORD';
  const PASSWORD = `registry-secret-${id}`;
  let repo: SampleHistory;
  let ctx: TestContext;

  beforeAll(() => {
    repo = sampleHistory();
    // A one-file image, pushed for v1.0.0 (c2) only: by sha7 for the backend, by tag for the worker.
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-versions-image-'));
    fs.writeFileSync(path.join(scratch, 'hello.txt'), 'hello\n');
    run('tar', ['-cf', path.join(scratch, 'image.tar'), '-C', scratch, 'hello.txt']);
    const pushed = [`${backend}:${repo.c2.slice(0, 7)}`, `${worker}:v1.0.0`];
    run('docker', ['import', path.join(scratch, 'image.tar'), pushed[0]!]);
    run('docker', ['tag', pushed[0]!, pushed[1]!]);
    for (const ref of pushed) run('docker', ['push', '--quiet', ref]);
    // Availability must come from the registry, not from the engine's own image store.
    run('docker', ['rmi', ...pushed]);
    fs.rmSync(scratch, { recursive: true, force: true });
    process.env[PASSWORD_ENV] = PASSWORD;
  });
  afterAll(() => {
    delete process.env[PASSWORD_ENV];
    repo.cleanup();
    for (const image of [backend, worker]) removeRepositoryFiles(image.slice(`${REGISTRY}/`.length));
  });
  // Each test's own Context, so its own VersionCaches: no registry answer carries over.
  const contextWith = (services: string, registries = '') =>
    testContext({
      database: '{ service: db, name: app }',
      projectDir: repo.dir,
      extra: `services: ${services}\n${registries}`,
    });

  it('is deployable only where every service image was pushed, naming the missing ones', async () => {
    // Credentials configured for the registry (it ignores them): they must never come back out.
    ctx = contextWith(
      `{ backend: { image: ${backend} }, worker: { image: ${worker}, tag: "{tag}" } }`,
      `registries: { "${REGISTRY}": { username: ci, passwordEnv: ${PASSWORD_ENV} } }`,
    );
    try {
      const list = await listVersions(ctx);
      const byRef = new Map(list.versions.map((v) => [v.ref, v]));

      expect(list.versions.map((v) => v.deployable)).toEqual([false, true, false, false]); // v1.1.0, v1.0.0, c4, c1
      expect(byRef.get('v1.0.0')?.images).toEqual({ available: true, missing: [] });
      const c1 = repo.c1.slice(0, 7);
      // A commit has no tag: "{tag}" falls back to the sha7.
      expect(byRef.get(c1)?.images).toEqual({ available: false, missing: [`${backend}:${c1}`, `${worker}:${c1}`] });
      expect(byRef.get('v1.1.0')?.images).toEqual({
        available: false,
        missing: [`${backend}:${repo.c3.slice(0, 7)}`, `${worker}:v1.1.0`],
      });
      expect(JSON.stringify(list) + ctx.logLines.join('\n')).not.toContain(PASSWORD);
    } finally {
      ctx.cleanup();
    }
  });

  it('says when the registry cannot be reached, and lists the versions anyway', async () => {
    ctx = contextWith(`{ backend: { image: 127.0.0.1:5999/sy-versions-test-${id}/app } }`);
    try {
      const list = await listVersions(ctx);
      expect(list.sources.git).toBe('ok');
      expect(list.versions).toHaveLength(4);
      for (const v of list.versions) {
        expect(v.deployable).toBe(false);
        expect(v.images.missing).toEqual([
          expect.stringMatching(
            new RegExp(`^127\\.0\\.0\\.1:5999/\\S+:${v.sha7} \\(registry unreachable: .*connection refused`),
          ),
        ]);
      }
    } finally {
      ctx.cleanup();
    }
  });

  it('asks the registry about the newest 15 versions only', async () => {
    const long = linearHistory(17);
    const busy = testContext({
      database: '{ service: db, name: app }',
      projectDir: long.dir,
      extra: `services: { backend: { image: ${backend} } }`,
    });
    try {
      const list = await listVersions(busy);
      expect(list.versions).toHaveLength(17);
      expect(list.versions[14]?.images.missing).toEqual([`${backend}:${list.versions[14]?.sha7}`]);
      expect(list.versions[15]?.images.missing).toEqual([
        `${backend}:${list.versions[15]?.sha7} (not checked: only the newest 15 versions are)`,
      ]);
    } finally {
      busy.cleanup();
      long.cleanup();
    }
  });

  it('imageExists tells present, absent and unknown apart', async () => {
    const docker = createDocker();
    expect(await imageExists(docker, `${backend}:${repo.c2.slice(0, 7)}`)).toEqual({ state: 'present' });
    expect(await imageExists(docker, `${backend}:nope`)).toEqual({ state: 'absent' });
    expect(await imageExists(docker, `${REGISTRY}/sy-versions-test-${id}/never-pushed:x`)).toEqual({ state: 'absent' });
    expect(await imageExists(docker, '127.0.0.1:5999/x/y:z')).toMatchObject({
      state: 'unknown',
      error: expect.stringMatching(/^registry unreachable: /),
    });
  });
});
