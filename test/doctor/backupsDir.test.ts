import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { switchyard } from '../fixtures/cli.js';
import { testContext, type TestContext } from '../fixtures/context.js';

const CHECK = 'backups dir writable by switchyard alone';

/** `switchyard doctor` flags a backups folder that other users can write (a probe found one left 0777). */
describe('doctor on the backups folder mode', () => {
  let ctx: TestContext;
  let backups: string;

  beforeAll(() => {
    ctx = testContext({ database: '{ url: "postgres://u:pw@127.0.0.1:1/app" }' });
    backups = ctx.config.backups.dir;
    fs.mkdirSync(backups);
  });
  afterAll(() => ctx.cleanup());

  const check = async () => {
    const res = await switchyard(['doctor', '--config', ctx.configFile, '--json']);
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
