import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { switchyard } from '../fixtures/cli.js';
import { hasCompose, need } from '../fixtures/env.js';

/** `switchyard init` as run from a shell whose umask is 000. */
const initUnderUmask000 = (args: string[]) => switchyard(['init', ...args], {}, { umask: '000' });

const mode = (file: string) => `0${(fs.statSync(file).mode & 0o777).toString(8)}`;

/**
 * The modes init leaves do not depend on the umask: folders it creates are 0755 (the unit's) or
 * 0700 (state, backups, config), and an env file or config it finds readable by others is made
 * 0600, saying so, while the env file keeps its token.
 */
describe.runIf(need('docker compose v2', hasCompose()))('switchyard init under umask 000', () => {
  let dir: string;
  let project: string;
  const common = () => [
    '--project-dir',
    project,
    '--database-service',
    'db',
    '--state-dir',
    path.join(dir, 'var', 'state'),
    '--backups-dir',
    path.join(dir, 'data', 'backups'),
    '--install-unit',
    '--unit-dir',
    path.join(dir, 'units', 'system'),
  ];

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-init-modes-'));
    project = path.join(dir, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(
      path.join(project, 'docker-compose.yml'),
      'services:\n  db:\n    image: postgres:15\n    environment: { POSTGRES_PASSWORD: pw }\n',
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates the folders with explicit modes and the secrets 0600', async () => {
    const config = path.join(dir, 'etc', 'config.yaml');
    const res = await initUnderUmask000([...common(), '--config', config]);
    expect(res.code, res.stderr).toBe(0);
    expect(mode(path.join(dir, 'units'))).toBe('0755');
    expect(mode(path.join(dir, 'units', 'system'))).toBe('0755');
    expect(mode(path.join(dir, 'units', 'system', 'switchyard.service'))).toBe('0644');
    expect(mode(path.join(dir, 'var', 'state'))).toBe('0700');
    expect(mode(path.join(dir, 'data', 'backups'))).toBe('0700');
    expect(mode(path.join(dir, 'etc'))).toBe('0700');
    expect(mode(config)).toBe('0600');
    expect(mode(path.join(dir, 'etc', 'env'))).toBe('0600');
    expect(res.stdout).toContain('(new admin token)');
  });

  it('--force tightens a config and an env file left 0644, keeps the token, and says so', async () => {
    const config = path.join(dir, 'etc', 'config.yaml');
    const env = path.join(dir, 'etc', 'env');
    const token = fs.readFileSync(env, 'utf8');
    fs.chmodSync(env, 0o644);
    fs.chmodSync(config, 0o644);
    fs.chmodSync(path.join(dir, 'data', 'backups'), 0o777);
    const res = await initUnderUmask000([...common(), '--config', config, '--force']);
    expect(res.code, res.stderr).toBe(0);
    expect(mode(env)).toBe('0600');
    expect(mode(config)).toBe('0600');
    expect(mode(path.join(dir, 'data', 'backups'))).toBe('0700');
    expect(fs.readFileSync(env, 'utf8')).toBe(token);
    expect(res.stdout).toContain(`wrote ${config} (mode 0644 tightened to 0600)`);
    expect(res.stdout).toContain(`secrets in ${env} (kept; mode 0644 tightened to 0600)`);
  });
});
