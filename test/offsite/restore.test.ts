import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupNow } from '../../src/backup/index.js';
import { readComposeProjectName } from '../../src/compose/project.js';
import { deploy } from '../../src/app/ports/deploy.js';
import { inspectImage, serviceContainers } from '../../src/docker/images.js';
import { pushPending } from '../../src/offsite/push.js';
import { openStore } from '../../src/store/index.js';
import { switchyard } from '../fixtures/cli.js';
import type { TestContext } from '../fixtures/context.js';
import { hasCompose, hasDocker, need, run } from '../fixtures/env.js';
import { createSampleApp, sampleAppContext, type SampleApp } from '../fixtures/sampleApp.js';
import { ageKeyPair, startS3, type S3Server } from '../fixtures/s3.js';

const hasAge = () => spawnSync('age', ['--version']).status === 0;
const ready =
  need('Docker engine', hasDocker()) &&
  need('docker compose v2', hasCompose()) &&
  need('age (apt-get install age)', hasAge());

/**
 * The disaster: the host is gone. A second state dir and a fresh checkout of the
 * compose repo (at an older commit), no containers, no database volume, no
 * local images; only the config, the credentials, the identity and the bucket.
 */
describe.runIf(ready)('restore --offsite on a fresh host, from the bucket alone', () => {
  let s3: S3Server;
  let app: SampleApp;
  let ctx: TestContext;
  let fresh: TestContext;
  let freshDir: string;
  let key: { identityFile: string; recipient: string };
  let rowsBefore: string;
  let pinsBefore: Record<string, string>;
  // What the backend's own start-up migration leaves alone: the notes, each request's title, the categories.
  const rows = () =>
    [
      `SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM notes t`,
      `SELECT md5(string_agg(id || ':' || title, '|' ORDER BY id)) FROM requests`,
      `SELECT string_agg(name, ',' ORDER BY name) FROM categories`,
    ]
      .map((sql) => app.psql(sql))
      .join(' ');

  /** Each of the writers that is running on the fresh host, with the digest of the image it runs. */
  const runningImages = async () => {
    const docker = (await import('../../src/docker/client.js')).createDocker();
    const project = await readComposeProjectName({
      project: { dir: freshDir, composeFiles: app.composeFiles, engine: 'compose', migrationPaths: [] },
      stateDir: fresh.config.stateDir,
    });
    const running: Record<string, string | null | undefined> = {};
    for (const service of ['backend', 'worker']) {
      const [c] = await serviceContainers(docker, project, service);
      if (c?.running) running[service] = (await inspectImage(docker, c.imageId, app.imageRepo))?.digestRef;
    }
    return running;
  };

  beforeAll(async () => {
    s3 = await startS3();
    Object.assign(process.env, s3.env);
    app = createSampleApp({ versions: ['v1', 'v2'] });
    app.startByHand();
    const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-key-'));
    key = ageKeyPair(keyDir);
    const offsite = s3.offsiteYaml({ recipients: [key.recipient] });
    ctx = sampleAppContext(app, offsite);
    const v2 = await deploy(ctx, { ref: 'v2.0.0', actor: 'test' });
    expect(v2.status).toBe('succeeded');
    pinsBefore = v2.images!;
    app.psql(`INSERT INTO requests (title) SELECT 'after the upgrade #' || g FROM generate_series(1, 500) g`);
    app.psql(`CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL);
      INSERT INTO notes (body) SELECT 'resident note ' || g || ' ' || md5(g::text) FROM generate_series(1, 2000) g`);
    rowsBefore = rows();
    await backupNow(ctx, { reason: 'scheduled', actor: 'test' });
    const outcomes = await pushPending(ctx);
    expect(outcomes.every((o) => o.ok)).toBe(true);

    // The host burns down: containers and the database volume gone, the app's images gone from the engine.
    app.compose(['down', '-v', '--remove-orphans', '-t', '1']);
    const images = run('docker', ['images', '-q', app.imageRepo]).trim().split('\n').filter(Boolean);
    if (images.length) run('docker', ['rmi', '-f', ...new Set(images)]);
    // A new machine: a fresh clone of the compose repo, at the old commit, and an empty state dir.
    freshDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-fresh-'));
    run('git', ['clone', '-q', app.dir, freshDir]);
    run('git', ['-C', freshDir, 'checkout', '-q', app.commits.v1]);
    fresh = sampleAppContext(app, offsite, { projectDir: freshDir, healthSeconds: 30, deploySeconds: 60 });
    fresh.store.close(); // the CLI below is the operator; this context only provides a config file and cleanup
    fs.rmSync(fresh.config.stateDir, { recursive: true, force: true });
  });
  afterAll(() => {
    try {
      if (freshDir)
        run(
          'docker',
          [
            'compose',
            '--project-directory',
            freshDir,
            ...app.composeFiles.flatMap((f) => ['-f', path.join(freshDir, f)]),
            'down',
            '-v',
            '--remove-orphans',
            '-t',
            '1',
          ],
          { cwd: freshDir },
        );
    } catch {
      /* already down */
    }
    ctx?.cleanup();
    if (fresh) fs.rmSync(fresh.root, { recursive: true, force: true });
    if (freshDir) fs.rmSync(freshDir, { recursive: true, force: true });
    if (key) fs.rmSync(path.dirname(key.identityFile), { recursive: true, force: true });
    app?.cleanup();
    return s3?.stop();
  });

  it('offsite list reads the bucket with only a config and credentials (no state created)', async () => {
    const r = await switchyard(['offsite', 'list', '--json', '--config', fresh.configFile], s3.env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { backups } = JSON.parse(r.stdout) as {
      backups: Array<{ reason: string; pair: { commit: string; version: string; images: Record<string, string> } }>;
    };
    expect(backups[0]).toMatchObject({
      reason: 'scheduled',
      pair: { commit: app.commits.v2, version: 'v2.0.0', images: pinsBefore },
    });
    expect(fs.existsSync(fresh.config.stateDir)).toBe(false);
  });

  it('brings back the same rows, the same commit and the same image digests', async () => {
    const r = await switchyard(
      ['restore', '--offsite', 'latest', '--identity', key.identityFile, '--with-images', '--config', fresh.configFile],
      s3.env,
    );
    expect(r.stderr).not.toContain('S3RVER');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const phase of [
      'start database',
      'check',
      'download',
      'checkout',
      'pull',
      'pin',
      'restore database',
      'up',
      'health',
      'total',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^${phase} +\\d+\\.\\d$`, 'm'));
    }
    expect(r.stdout).toContain('succeeded');

    expect(rows()).toBe(rowsBefore);
    expect(run('git', ['-C', freshDir, 'rev-parse', 'HEAD']).trim()).toBe(app.commits.v2);
    expect(await runningImages()).toEqual({ backend: pinsBefore.backend, worker: pinsBefore.worker });
    const store = openStore(fresh.config.stateDir);
    try {
      const [d] = store.deployments.list(1);
      expect(d).toMatchObject({
        kind: 'restore',
        status: 'succeeded',
        commit: app.commits.v2,
        tag: 'v2.0.0',
        images: pinsBefore,
      });
      expect(store.backups.get(d!.backupId!)).toMatchObject({ status: 'ok' });
      expect(store.offsite.get(d!.backupId!)).toMatchObject({ state: 'uploaded' }); // fetched, never copied back
    } finally {
      store.close();
    }
  });

  it('refuses a database that is no longer empty without --force', async () => {
    const r = await switchyard(
      ['restore', '--offsite', 'latest', '--identity', key.identityFile, '--config', fresh.configFile],
      s3.env,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/database "app" is not empty \(\d+ tables\).*--force/);
    expect(rows()).toBe(rowsBefore);
  });

  it('--force takes a safety backup of the non-empty database first, then replaces it', async () => {
    app.psql(`INSERT INTO notes (body) VALUES ('written after the disaster, before the second restore')`);
    const r = await switchyard(
      ['restore', '--offsite', 'latest', '--identity', key.identityFile, '--force', '--config', fresh.configFile],
      s3.env,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^backup +\d+\.\d$/m);
    // The writers it stopped for the swap run again, and the plan said so before it began.
    expect(r.stderr).toMatch(/^plan: .*stop writers → restore database → up → health$/m);
    for (const phase of ['stop writers', 'up', 'health'])
      expect(r.stdout).toMatch(new RegExp(`^${phase} +\\d+\\.\\d$`, 'm'));
    expect(Object.keys(await runningImages())).toEqual(['backend', 'worker']);
    expect(rows()).toBe(rowsBefore);
    const store = openStore(fresh.config.stateDir);
    try {
      const [d] = store.deployments.list(1);
      const safety = store.backups
        .list({ status: 'ok' })
        .find((b) => b.reason === 'pre-rollback' && b.deploymentId === d!.id);
      expect(safety?.note).toMatch(/before restore --offsite/);
      expect(safety?.rowCounts?.['public.notes']).toBe(2001);
    } finally {
      store.close();
    }
  });

  it("drill --offsite reports the runbook's DR Drill Results with the download time", async () => {
    const r = await switchyard(
      ['drill', '--offsite', '--identity', key.identityFile, '--config', fresh.configFile],
      s3.env,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('## DR Drill Results');
    expect(r.stdout).toMatch(/\*\*Backup Age\*\*: \d+\.\d hours/);
    expect(r.stdout).toMatch(/\*\*Download Time\*\*: \d+\.\d s/);
    expect(r.stdout).toContain('**Data Verified**: yes');
  });
});
