import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { switchyard } from '../fixtures/cli.js';

const CHECK = 'backups dir writable by switchyard alone';

/** `switchyard doctor` flags a backups folder that other users can write (a probe found one left 0777). */
describe('doctor on the backups folder mode', () => {
  let dir: string;
  let config: string;
  let backups: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-doctor-'));
    backups = path.join(dir, 'backups');
    fs.mkdirSync(backups);
    config = path.join(dir, 'config.yaml');
    fs.writeFileSync(
      config,
      [
        `project: { dir: ${dir} }`,
        'database: { url: "postgres://u:pw@127.0.0.1:1/app" }',
        `stateDir: ${dir}/state`,
        `backups: { dir: ${backups} }`,
      ].join('\n'),
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const check = async () => {
    const res = await switchyard(['doctor', '--config', config, '--json']);
    const results = JSON.parse(res.stdout) as Array<{ name: string; ok: boolean; detail: string; fix?: string }>;
    return results.find((r) => r.name === CHECK);
  };

  it('fails a 0777 folder and names the fix', async () => {
    fs.chmodSync(backups, 0o777);
    expect(await check()).toEqual({
      name: CHECK,
      ok: false,
      detail: `${backups} is mode 0777: other users can write there`,
      fix: `chmod 700 ${backups}`,
    });
  });

  it('passes a 0700 folder', async () => {
    fs.chmodSync(backups, 0o700);
    expect(await check()).toEqual({ name: CHECK, ok: true, detail: `${backups}: mode 0700` });
  });
});
