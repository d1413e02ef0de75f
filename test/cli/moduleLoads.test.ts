import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { switchyard } from '../fixtures/cli.js';
import { hasDocker, need } from '../fixtures/env.js';
import { moduleLog } from '../fixtures/moduleLog.js';
import { hasPostgres } from '../fixtures/postgres.js';
import { startUrlModeProject, type UrlModeProject } from '../fixtures/urlModeProject.js';

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
  let project: UrlModeProject;
  let config: string;

  beforeAll(async () => {
    project = await startUrlModeProject('sy-modules-', [
      // Configured but not used by these commands: configuring them must not load their clients.
      'offsite: { s3: { bucket: sy-backups, accessKeyIdEnv: SY_T_KEY, secretAccessKeyEnv: SY_T_SECRET }, encrypt: { allowUnencrypted: true } }',
      'github: { repo: acme/app }',
      'services: { backend: { image: 127.0.0.1:5000/acme/backend } }',
    ]);
    config = project.config;
  });
  afterAll(async () => {
    await project?.stop();
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
