import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { switchyard } from '../fixtures/cli.js';
import { need } from '../fixtures/env.js';
import { hasPostgres, type PgCluster } from '../fixtures/postgres.js';
import { startUrlModeProject, type UrlModeProject } from '../fixtures/urlModeProject.js';

const oneLineError = (stderr: string) => {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  return stderr.trim();
};

describe('switchyard CLI without a database', () => {
  it('prints help and rejects unknown commands and flags with usage errors', async () => {
    const help = await switchyard(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('backup [--reason TEXT]');
    const unknown = await switchyard(['deploy-everything']);
    expect(unknown.code).toBe(64);
    expect(oneLineError(unknown.stderr)).toContain('unknown command "deploy-everything"');
    const flag = await switchyard(['backups', '--force']);
    expect(flag.code).toBe(64);
    expect(oneLineError(flag.stderr)).toContain("Unknown option '--force'");
  });

  it('exits 78 with a one-line error naming the file or the bad key', async () => {
    const missing = await switchyard(['backups', '--config', '/nonexistent/switchyard.yaml']);
    expect(missing.code).toBe(78);
    expect(oneLineError(missing.stderr)).toContain('config file /nonexistent/switchyard.yaml not found');

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-cli-'));
    const file = path.join(dir, 'config.yaml');
    fs.writeFileSync(file, 'project: { dir: /p }\ndatabase: { service: db, name: app, pasword: x }\n');
    const bad = await switchyard(['backups'], { SWITCHYARD_CONFIG: file });
    expect(bad.code).toBe(78);
    expect(oneLineError(bad.stderr)).toContain('database.pasword: unknown key');
    fs.rmSync(dir, { recursive: true });
  });

  it('rejects a drill id that is not a number before touching anything', async () => {
    const res = await switchyard(['drill', ';rm -rf /', '--config', '/nonexistent.yaml']);
    expect(res.code).toBe(64);
    expect(oneLineError(res.stderr)).toContain('BACKUP_ID must be a positive integer');
  });
});

describe.runIf(need('PostgreSQL server binaries', hasPostgres()))('switchyard CLI against a database', () => {
  let project: UrlModeProject;
  let pg: PgCluster;
  let dir: string;
  let config: string;

  beforeAll(async () => {
    project = await startUrlModeProject('sy-cli-');
    ({ pg, dir, config } = project);
  });
  afterAll(async () => {
    await project?.stop();
  });

  it('takes a backup, lists it and drills it, in text and JSON', async () => {
    const made = await switchyard(['backup', '--reason', 'before upgrading', '--config', config, '--json']);
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    const backup = JSON.parse(made.stdout) as { id: number; fileName: string; note: string; actor: string };
    expect(backup.note).toBe('before upgrading');
    expect(backup.actor).toMatch(/^cli:/);
    expect(fs.existsSync(path.join(dir, 'backups', backup.fileName))).toBe(true);

    const list = await switchyard(['backups', '--config', config]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(backup.fileName);

    const drill = await switchyard(['drill', String(backup.id), '--config', config]);
    expect(drill.code).toBe(0);
    expect(drill.stdout).toContain('**Data Verified**: yes');

    const json = await switchyard(['backups', '--json'], { SWITCHYARD_CONFIG: config });
    expect(JSON.parse(json.stdout)[0]).toMatchObject({ id: backup.id, lastDrill: { verified: true } });
    expect(list.stdout + json.stdout + drill.stdout).not.toContain(pg.password);
  });

  it('fails a backup with exit 1 and one line when the database is unreachable, without the password', async () => {
    const broken = path.join(dir, 'broken.yaml');
    fs.writeFileSync(broken, fs.readFileSync(config, 'utf8').replace(`:${pg.port}/`, ':1/'));
    const res = await switchyard(['backup', '--config', broken]);
    expect(res.code).toBe(1);
    const line = oneLineError(res.stderr);
    expect(line).toMatch(
      /^switchyard backup: backup failed: cannot connect to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/app/,
    );
    expect(line).not.toContain(pg.password);
  });
});
