import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { switchyard } from '../fixtures/cli.js';

describe('switchyard config', () => {
  let dir: string;
  const write = (name: string, lines: string[]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, lines.join('\n'));
    return file;
  };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-cli-config-'));
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("prints webhook URLs with their secret parts masked, and a database URL's secret query values", async () => {
    const slackToken = 'SlackPathToken0123456789';
    const file = write('hooks.yaml', [
      'project: { dir: /srv/app }',
      'database: { url: "postgres://app:UserInfo-Pw-1@db:5432/app?sslmode=require&password=Query-Pw-2" }',
      'notify:',
      '  webhooks:',
      `    - { url: "https://hooks.slack.com/services/T0001/B0001/${slackToken}", format: slack }`,
      '    - { url: "https://bot:Hook-Pw-3@example.org/hooks/deploy?token=Query-Token-4&team=ops" }',
    ]);
    for (const args of [['config'], ['config', '--json']]) {
      const res = await switchyard([...args, '--config', file]);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain('postgres://app:***@db:5432/app?sslmode=require&password=***');
      expect(res.stdout).toContain('"https://hooks.slack.com/services/***"');
      expect(res.stdout).toContain('"https://***@example.org/hooks/***?token=***&team=***"');
      expect(res.stdout).not.toMatch(
        /UserInfo-Pw-1|Query-Pw-2|Hook-Pw-3|Query-Token-4|T0001|B0001|hooks\/deploy|team=ops/,
      );
      expect(res.stdout).not.toContain(slackToken);
    }
  });

  it('exits 78 with one line naming the file for a YAML alias bomb, at once', async () => {
    const bomb = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 10; i++) {
      const [name, prev] = [String.fromCharCode(97 + i), String.fromCharCode(96 + i)];
      bomb.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const file = write('bomb.yaml', bomb);
    const res = await switchyard(['config', '--config', file]);
    expect(res.code).toBe(78);
    expect(res.stderr).toBe(
      `switchyard config: ${file}: invalid YAML: its aliases expand too far (more than 100 expansions)\n`,
    );
  });

  it('exits 78 naming backups.schedule for a cron of 7 fields', async () => {
    const file = write('cron.yaml', [
      'project: { dir: /srv/app }',
      'database: { service: db, name: app }',
      'backups: { schedule: "0 0 3 * * * 2027" }',
    ]);
    const res = await switchyard(['config', '--config', file]);
    expect(res.code).toBe(78);
    expect(res.stderr).toBe(
      `switchyard config: ${file}: backups.schedule: a cron expression of 5 fields, or 6 with seconds\n`,
    );
  });
});
