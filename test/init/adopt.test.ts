import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { switchyard } from '../fixtures/cli.js';
import { hasCompose, hasDocker, need, run } from '../fixtures/env.js';
import { createSampleApp, type SampleApp } from '../fixtures/sampleApp.js';

const ready = need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose());

/** The operator started the stack as `docker compose -p <other> up`: compose's own name for the files differs. */
describe.runIf(ready)('init adopts a stack running under another compose project name', () => {
  let app: SampleApp;
  let dir: string;
  let config: string;
  const other = `adopted${Date.now().toString(36)}`;
  const composeAs = (args: string[]) =>
    run(
      'docker',
      [
        'compose',
        '--project-directory',
        app.dir,
        ...app.composeFiles.flatMap((f) => ['-f', path.join(app.dir, f)]),
        '-p',
        other,
        ...args,
      ],
      { cwd: app.dir },
    );
  const doctor = async () => {
    const res = await switchyard(['doctor', '--config', config, '--json']);
    return Object.fromEntries(
      (JSON.parse(res.stdout) as Array<{ name: string; ok: boolean; detail: string; fix?: string }>).map((r) => [
        r.name,
        r,
      ]),
    );
  };

  beforeAll(() => {
    app = createSampleApp({ versions: ['v1'] });
    composeAs(['up', '-d', '--wait', '--no-build']);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-adopt-'));
    config = path.join(dir, 'config.yaml');
  });
  afterAll(() => {
    try {
      composeAs(['down', '-v', '--remove-orphans', '-t', '1']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      app?.cleanup();
    }
  });

  it('writes the running project name; doctor without it names the project it looked for and those it saw', async () => {
    const args = ['init', '--project-dir', app.dir, '--config', config, '--state-dir', path.join(dir, 'state')];
    const res = await switchyard([...args, '--backups-dir', path.join(dir, 'backups'), '--json']);
    expect(res.code, res.stderr).toBe(0);
    expect((JSON.parse(res.stdout) as { projectName: string }).projectName).toBe(other);
    const text = fs.readFileSync(config, 'utf8').replace('name: postgres', 'name: app');
    expect(parseConfig(text).project.name).toBe(other);

    fs.writeFileSync(config, text);
    const adopted = await doctor();
    expect(adopted['compose project running']).toMatchObject({ ok: true, detail: `project "${other}"` });
    expect(adopted['database reachable, pg_dump new enough']).toMatchObject({ ok: true });

    // As before the fix: no project.name, so compose's own name (the files' `name:`) is looked for.
    fs.writeFileSync(config, text.replace(/^ {2}name: adopted.*\n/m, ''));
    const lost = await doctor();
    expect(lost['compose project running']).toMatchObject({ ok: false });
    expect(lost['compose project running']?.detail).toContain(
      `no running container of compose project "${app.project}"`,
    );
    expect(lost['compose project running']?.detail).toContain(`${other} (${app.dir})`);
    expect(lost['compose project running']?.fix).toContain(`set project.name: ${other}`);
    expect(lost['database reachable, pg_dump new enough']?.detail).toMatch(
      new RegExp(`in compose project "${app.project}"; running compose projects: .*${other}`),
    );
  });
});
