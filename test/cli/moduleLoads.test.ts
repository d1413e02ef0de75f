import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { switchyard } from '../fixtures/cli.js';
import { SAMPLE_SCHEMA } from '../fixtures/data.js';
import { hasDocker, need } from '../fixtures/env.js';
import { moduleLog } from '../fixtures/moduleLog.js';
import { hasPostgres, startPgCluster, type PgCluster } from '../fixtures/postgres.js';

/** The heavy clients, each loaded only where its capability is used (≈ 1 s and 60 MB together). */
const HEAVY = ['dockerode', '@aws-sdk/client-s3', '@aws-sdk/lib-storage', '@octokit/rest', 'simple-git'];

/** What a command's process loads: the built CLI, run with a preload that records every module. */
async function packagesLoadedBy(args: string[]): Promise<{ code: number; stderr: string; packages: Set<string> }> {
  const log = moduleLog();
  try {
    const res = await switchyard(args, log.env, { nodeArgs: log.nodeArgs });
    return { code: res.code, stderr: res.stderr, packages: log.packages() };
  } finally {
    log.cleanup();
  }
}

describe.runIf(need('PostgreSQL server binaries', hasPostgres()))('modules a command loads', () => {
  let pg: PgCluster;
  let dir: string;
  let config: string;

  beforeAll(async () => {
    pg = await startPgCluster();
    pg.createDatabase('app');
    pg.psql('app', SAMPLE_SCHEMA);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-modules-'));
    config = path.join(dir, 'config.yaml');
    fs.writeFileSync(
      config,
      [
        `project: { dir: ${dir} }`,
        `database: { url: "${pg.url('app')}" }`,
        `stateDir: ${dir}/state`,
        `backups: { dir: ${dir}/backups }`,
        // Configured but not used by these commands: configuring them must not load their clients.
        'offsite: { s3: { bucket: sy-backups, accessKeyIdEnv: SY_T_KEY, secretAccessKeyEnv: SY_T_SECRET }, encrypt: { allowUnencrypted: true } }',
        'github: { repo: acme/app }',
        'services: { backend: { image: 127.0.0.1:5000/acme/backend } }',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await pg?.stop();
  });

  it('a URL-mode backup loads neither Docker, the AWS SDK, Octokit nor simple-git', async () => {
    const backup = await packagesLoadedBy(['backup', '--config', config]);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.packages).toContain('pg'); // the recorder sees what the backup does use
    expect(HEAVY.filter((p) => backup.packages.has(p))).toEqual([]);
  });

  it('`config` loads none of them either', async () => {
    const shown = await packagesLoadedBy(['config', '--config', config]);
    expect(shown.code).toBe(0);
    expect(shown.packages).toContain('zod');
    expect(HEAVY.filter((p) => shown.packages.has(p))).toEqual([]);
  });

  it.runIf(need('Docker engine', hasDocker()))('`doctor` loads dockerode when it reaches Docker', async () => {
    // The control for the CommonJS side: dockerode comes through require() at the first client.
    const doctor = await packagesLoadedBy(['doctor', '--config', config]);
    expect(doctor.packages).toContain('dockerode');
  });
});
