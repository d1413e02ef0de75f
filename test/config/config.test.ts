import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configPath, loadConfig, parseConfig } from '../../src/config/index.js';
import { SwitchyardError } from '../../src/errors.js';

const minimal = 'project: { dir: /project }\ndatabase: { service: db, name: app }\n';

const errorOf = (yaml: string) => {
  try {
    parseConfig(yaml);
  } catch (e) {
    expect(e).toBeInstanceOf(SwitchyardError);
    expect((e as SwitchyardError).kind).toBe('config');
    return (e as Error).message;
  }
  throw new Error('expected a config error');
};

describe('config', () => {
  it('fills the documented defaults', () => {
    const c = parseConfig(`${minimal}services:\n  backend: { image: ghcr.io/acme/app-backend }\n`);
    expect(c.project.composeFiles).toEqual(['docker-compose.yml']);
    expect(c.backups.dir).toBe('/project/backups');
    expect(c.backups.keep).toEqual({ last: 14, days: 30 });
    expect(c.stateDir).toBe('/var/lib/switchyard');
    expect(c.server.listen).toBe('127.0.0.1:8090');
    expect(c.services.backend).toEqual({ image: 'ghcr.io/acme/app-backend', tag: '{sha7}', strategy: 'auto' });
    expect(c.database).toEqual({
      mode: 'service',
      service: 'db',
      user: 'postgres',
      name: 'app',
      passwordEnv: undefined,
      clientPrograms: 'auto',
    });
  });

  it('takes the swarm engine and its stack; compose by default', () => {
    expect(parseConfig(minimal).project.engine).toBe('compose');
    const c = parseConfig('project: { dir: /p, engine: swarm, stack: shop }\ndatabase: { service: db, name: a }\n');
    expect(c.project).toMatchObject({ engine: 'swarm', stack: 'shop' });
  });

  it('takes the database name from a URL', () => {
    const c = parseConfig('project: { dir: /p }\ndatabase: { url: "postgres://u:p@127.0.0.1:5432/pinpoint311" }\n');
    expect(c.database).toMatchObject({ mode: 'url', name: 'pinpoint311' });
  });

  it.each([
    ['an unknown key', `${minimal}backups: { dir: /b, kep: {} }\n`, 'backups.kep: unknown key'],
    ['a misspelt section', `${minimal}servcies: {}\n`, 'servcies: unknown key'],
    [
      'a relative project dir',
      'project: { dir: project }\ndatabase: { service: db, name: app }\n',
      'project.dir: must be an absolute path',
    ],
    [
      'a compose file outside the project',
      'project: { dir: /p, composeFiles: [../x.yml] }\ndatabase: { service: db, name: app }\n',
      'project.composeFiles.0: must be a path inside project.dir',
    ],
    ['a bad cron', `${minimal}backups: { schedule: "0 25 * * *" }\n`, 'backups.schedule: not a valid cron expression'],
    [
      'a cron with a 7th field (years)',
      `${minimal}backups: { schedule: "0 0 3 * * * 2027" }\n`,
      'backups.schedule: a cron expression of 5 fields, or 6 with seconds',
    ],
    [
      'a cron nickname',
      `${minimal}backups: { schedule: "@daily" }\n`,
      'backups.schedule: a cron expression of 5 fields, or 6 with seconds',
    ],
    [
      'a database URL parameter URL mode would ignore',
      'project: { dir: /p }\ndatabase: { url: "postgres://u@h/app?host=/run/postgresql" }\n',
      'database.url: ?host= is not supported (only ?password= and ?sslmode=)',
    ],
    ['a bad retention', `${minimal}backups: { keep: { last: 0 } }\n`, 'backups.keep.last:'],
    ['a missing database', 'project: { dir: /p }\n', 'database: required'],
    [
      'swarm without a stack',
      'project: { dir: /p, engine: swarm }\ndatabase: { service: db, name: a }\n',
      'project.stack: required with project.engine: swarm',
    ],
    [
      'a stack with compose',
      'project: { dir: /p, stack: shop }\ndatabase: { service: db, name: a }\n',
      'project.stack: only with project.engine: swarm',
    ],
    ['an unknown engine', 'project: { dir: /p, engine: k8s }\ndatabase: { service: db, name: a }\n', 'project.engine:'],
    [
      'both database modes',
      'project: { dir: /p }\ndatabase: { service: db, name: a, url: "postgres://u@h/a" }\n',
      'database: set exactly one of database.service or database.url',
    ],
    [
      'clientPrograms in URL mode',
      'project: { dir: /p }\ndatabase: { url: "postgres://u@h/a", clientPrograms: container }\n',
      "database.clientPrograms: only with database.service: URL mode always runs this host's client programs",
    ],
    [
      'an unknown clientPrograms',
      'project: { dir: /p }\ndatabase: { service: db, name: a, clientPrograms: host }\n',
      'database.clientPrograms:',
    ],
    [
      'an image with a tag',
      `${minimal}services: { backend: { image: "ghcr.io/a/b:latest" } }\n`,
      'services.backend.image:',
    ],
    [
      'a shell in a tag template',
      `${minimal}services: { backend: { image: ghcr.io/a/b, tag: "$(id)" } }\n`,
      'services.backend.tag:',
    ],
    ['a bad listen address', `${minimal}server: { listen: "8090" }\n`, 'server.listen: host:port'],
  ])('rejects %s, naming the key', (_what, yaml, expected) => {
    expect(errorOf(yaml)).toContain(expected);
  });

  it.each([
    [
      'a word for a number',
      `${minimal}deploy: { timeoutSeconds: "fast" }\n`,
      'deploy.timeoutSeconds: expected number, got string',
    ],
    ['a list for a section', `${minimal}backups: []\n`, 'backups: expected object, got array'],
    ['a number for a string', `${minimal}server: { listen: 8090 }\n`, 'server.listen: expected string, got number'],
    [
      'null for a boolean',
      `${minimal}deploy: { allowWithoutBackup: null }\n`,
      'deploy.allowWithoutBackup: expected boolean, got null',
    ],
    [
      'a token without a role',
      `${minimal}server: { tokens: [{ name: ops, sha256: "${'a'.repeat(64)}" }] }\n`,
      'server.tokens.0.role: required (one of viewer, operator, admin)',
    ],
    [
      'a token with an unknown role',
      `${minimal}server: { tokens: [{ name: ops, role: root, sha256: "${'a'.repeat(64)}" }] }\n`,
      'server.tokens.0.role: expected one of viewer, operator, admin, got another string',
    ],
  ])('says what it expected and what it got for %s', (_what, yaml, expected) => {
    const message = errorOf(yaml);
    expect(message).toContain(expected);
    expect(message).not.toMatch(/: required/.test(expected) ? /got/ : /: required/);
  });

  it('never echoes the tail of a URL password holding a raw "@"', () => {
    const message = errorOf(
      'project: { dir: rel }\ndatabase: { url: "postgres://atuser:Hidden@TailSecret99@127.0.0.1:5432/app" }\n',
    );
    expect(message).toContain('project.dir');
    expect(message).not.toMatch(/TailSecret99|Hidden/);
    const ok = parseConfig(
      'project: { dir: /p }\ndatabase: { url: "postgres://atuser:Hidden@TailSecret99@127.0.0.1:5432/app" }\n',
    );
    expect(ok.database).toMatchObject({ mode: 'url', name: 'app' });
  });

  it('takes 5 cron fields, or 6 with seconds', () => {
    expect(parseConfig(`${minimal}backups: { schedule: "0 3 * * *" }\n`).backups.schedule).toBe('0 3 * * *');
    expect(parseConfig(`${minimal}backups: { schedule: "30 0 3 * * 1-5" }\n`).backups.schedule).toBe('30 0 3 * * 1-5');
    expect(errorOf(`${minimal}backups: { schedule: "0 3 * *" }\n`)).toBe(
      'config: backups.schedule: a cron expression of 5 fields, or 6 with seconds',
    );
  });

  it('stops a YAML alias bomb at once, naming the file', () => {
    const bomb = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 10; i++) {
      const [name, prev] = [String.fromCharCode(97 + i), String.fromCharCode(96 + i)];
      bomb.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const started = performance.now();
    expect(() => parseConfig(bomb.join('\n'), '/etc/switchyard/bomb.yaml')).toThrow(
      /^\/etc\/switchyard\/bomb\.yaml: invalid YAML: its aliases expand too far \(more than 100 expansions\)$/,
    );
    expect(errorOf(bomb.join('\n'))).toMatch(/^config: invalid YAML/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("reads a database URL's ?password= and refuses a badly encoded one without echoing it", () => {
    const c = parseConfig(
      'project: { dir: /p }\ndatabase: { url: "postgres://u@h/app?password=a%2Bb&sslmode=require" }\n',
    );
    expect(c.database).toMatchObject({ mode: 'url', name: 'app' });
    const message = errorOf('project: { dir: /p }\ndatabase: { url: "postgres://u@h/app?password=Bad%zzSecret" }\n');
    expect(message).toBe('config: database.url: a URL whose user info, path and query are percent-encoded correctly');
  });

  it('reports broken YAML with its line', () => {
    expect(errorOf('project:\n  dir: /p\n database: [')).toMatch(/^config:\d+: invalid YAML/);
  });

  it('never echoes a database password in an error', () => {
    const message = errorOf('project: { dir: rel }\ndatabase: { url: "postgres://u:hunter2secret@h/a" }\n');
    expect(message).not.toContain('hunter2secret');
  });

  it('finds the file from --config, then $SWITCHYARD_CONFIG, then /etc', () => {
    expect(configPath('/a.yaml', { SWITCHYARD_CONFIG: '/b.yaml' })).toBe('/a.yaml');
    expect(configPath(undefined, { SWITCHYARD_CONFIG: '/b.yaml' })).toBe('/b.yaml');
    expect(configPath(undefined, {})).toBe('/etc/switchyard/config.yaml');
  });

  it('says which file is missing', () => {
    const missing = path.join(os.tmpdir(), 'no-such-switchyard.yaml');
    expect(() => loadConfig(missing)).toThrow(`config file ${missing} not found`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-cfg-'));
    fs.writeFileSync(path.join(dir, 'c.yaml'), minimal);
    expect(loadConfig(path.join(dir, 'c.yaml')).database.name).toBe('app');
    fs.rmSync(dir, { recursive: true });
  });
});
