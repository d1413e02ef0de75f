import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { switchyard } from '../fixtures/cli.js';
import { hasCompose, hasDocker, need } from '../fixtures/env.js';
import { createSampleApp, type SampleApp } from '../fixtures/sampleApp.js';

const ready = need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose());

describe.runIf(ready)('switchyard init and doctor on the seed compose layout', () => {
  let app: SampleApp;
  let dir: string;
  let config: string;

  beforeAll(() => {
    app = createSampleApp({ versions: ['v1'] });
    app.startByHand();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-init-'));
    config = path.join(dir, 'etc', 'config.yaml');
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    app?.cleanup();
  });

  it('proposes the managed services and the database from the compose files, and installs a unit that systemd accepts', async () => {
    const res = await switchyard([
      'init',
      '--project-dir',
      app.dir,
      '--config',
      config,
      '--state-dir',
      path.join(dir, 'state'),
      '--backups-dir',
      path.join(dir, 'backups'),
      '--install-unit',
      '--unit-dir',
      path.join(dir, 'units'),
      '--json',
    ]);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout) as { services: Record<string, string>; database: unknown };
    expect(out.services).toEqual({ backend: app.imageRepo, worker: app.imageRepo });
    expect(out.database).toEqual({ service: 'db', user: 'postgres', name: 'postgres' });

    const text = fs.readFileSync(config, 'utf8');
    expect(text).toContain('# switchyard config, written by `switchyard init`');
    const parsed = parseConfig(text);
    expect(parsed.project.composeFiles).toEqual(['docker-compose.yml', 'docker-compose.prod.yml']);
    expect(fs.statSync(path.join(dir, 'state')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(config).mode & 0o777).toBe(0o600);
    const env = fs.readFileSync(path.join(dir, 'etc', 'env'), 'utf8');
    expect(env).toMatch(/^SWITCHYARD_ADMIN_TOKEN=\S{24,}$/m);
    expect(fs.statSync(path.join(dir, 'etc', 'env')).mode & 0o777).toBe(0o600);

    const unit = path.join(dir, 'units', 'switchyard.service');
    expect(fs.readFileSync(unit, 'utf8')).toContain(`serve --config ${config}`);
    const verify = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    expect(verify.status, verify.stderr).toBe(0);

    const again = await switchyard(['init', '--project-dir', app.dir, '--config', config]);
    expect(again.code).toBe(64);
    expect(again.stderr).toContain('exists; pass --force');
  });

  it('doctor passes what works and names the fix for what does not', async () => {
    // The app database is "app": point the generated config at it, as an operator would after init.
    fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('name: postgres', 'name: app'));
    const res = await switchyard(['doctor', '--config', config, '--json']);
    const results = JSON.parse(res.stdout) as Array<{ name: string; ok: boolean; detail: string; fix?: string }>;
    const by = Object.fromEntries(results.map((r) => [r.name, r]));
    for (const name of [
      'config valid',
      'docker socket reachable',
      'docker compose v2 present',
      'compose files parse',
      'database reachable, pg_dump new enough',
      'zstd present for backups',
      'backups dir writable with room for the next dump',
      'registry access for each image',
    ]) {
      expect(by[name], `${name}: ${by[name]?.detail}`).toMatchObject({ ok: true });
    }
    // Says which client programs reach the database: here the host's are the server's version.
    expect(by['database reachable, pg_dump new enough']?.detail).toMatch(
      /^database "app" in compose service "db" \(this host's client programs, over its socket\): server 15, pg_dump 15$/,
    );
    expect(by['newest backup age']).toMatchObject({ ok: false, fix: expect.stringContaining('switchyard backup') });
    expect(res.code).toBe(1);

    const broken = await switchyard(['doctor', '--config', path.join(dir, 'missing.yaml')]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^FAIL {2}config valid: config file .* not found/);
  });
});
