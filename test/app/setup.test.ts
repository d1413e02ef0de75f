import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { composePassthrough, initHost, Switchyard } from '../../src/app/index.js';
import type { Runtime } from '../../src/app/runtime.js';
import { pinFilePath } from '../../src/config/stateFiles.js';
import { testContext, type TestContext } from '../fixtures/context.js';

/**
 * The setup area without Docker: doctor answers a line per check even when the engine and the database
 * refuse (redacted), init refuses bad input before writing anything, compose's command line keeps the pins.
 */
const SECRET = 'Doctor-Secret-1618';

let ctx: TestContext | undefined;
afterEach(() => {
  ctx?.cleanup();
  ctx = undefined;
});

function context(): TestContext {
  ctx = testContext({ database: '{ service: db, name: app }', project: 'name: shop' });
  ctx.redactor.register(SECRET);
  return ctx;
}

describe('Setup', () => {
  it('doctor: a result per check, each with a detail; an engine that refuses is a failed line, redacted', async () => {
    const c = context();
    const refuse = () => {
      throw new Error(`connect EACCES /var/run/docker.sock (${SECRET})`);
    };
    const runtime: Runtime = { ...c, docker: refuse, database: refuse };
    const results = await new Switchyard(() => runtime).setup.doctor();
    expect(results.length).toBeGreaterThan(3);
    for (const r of results) expect(r).toMatchObject({ name: expect.any(String), ok: expect.any(Boolean) });
    const engine = results.find((r) => r.name === 'docker socket reachable');
    expect(engine).toMatchObject({ ok: false, detail: expect.stringContaining('docker.sock') });
    expect(c.redactor.redact(JSON.stringify(results))).not.toContain(SECRET);
  });

  it('init: a relative project dir is one input error; nothing is written', async () => {
    const c = context();
    const configFile = path.join(c.root, 'etc', 'config.yaml');
    const e = await initHost({ config: configFile, env: {}, projectDir: 'project' }).catch((err: unknown) => err);
    expect(e).toMatchObject({
      kind: 'input',
      message: '--project-dir must be an absolute path to the compose project',
    });
    expect(fs.existsSync(path.dirname(configFile))).toBe(false);
  });

  it('init: an existing config is kept without --force (the error names it), $SWITCHYARD_CONFIG is where it looks', async () => {
    const c = context();
    const before = fs.readFileSync(c.configFile, 'utf8');
    const e = await initHost({ env: { SWITCHYARD_CONFIG: c.configFile }, projectDir: c.config.project.dir }).catch(
      (err: unknown) => err,
    );
    expect(e).toMatchObject({ kind: 'input', message: `${c.configFile} exists; pass --force to overwrite it` });
    expect(fs.readFileSync(c.configFile, 'utf8')).toBe(before);
  });

  it("compose: the project's files and the pin file come before the user's arguments, in the project dir", () => {
    const c = context();
    const pins = pinFilePath(c.config.stateDir);
    fs.mkdirSync(path.dirname(pins), { recursive: true });
    fs.writeFileSync(pins, 'services: {}\n');
    const run = composePassthrough(c.config, ['up', '-d']);
    expect(run.command).toBe('docker');
    expect(run.cwd).toBe(c.config.project.dir);
    expect(run.args.slice(0, 3)).toEqual(['compose', '--project-directory', c.config.project.dir]);
    expect(run.args.slice(-2)).toEqual(['up', '-d']);
    expect(run.args).toContain(pins);
    expect(run.args.indexOf(pins)).toBeLessThan(run.args.indexOf('up'));
  });
});
