import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MIGRATION_PATHS } from '../../src/config/schema.js';
import { parseConfig } from '../../src/config/load.js';
import { Redactor } from '../../src/util/redact.js';
import { versionChanges } from '../../src/versions/changes.js';
import { SAMPLE_MIGRATION_FILE, SAMPLE_VERSIONS, writeVersionFiles } from '../fixtures/sampleApp.js';
import { git } from '../versions/gitRepo.js';

/** The config scripts/demo.sh writes, its shell variables filled in as the demo fills them. */
function demoConfig() {
  const script = fs.readFileSync(path.resolve('scripts/demo.sh'), 'utf8');
  const yaml = /cat >"\$home\/config\.yaml" <<YAML\n([\s\S]*?)\nYAML\n/.exec(script)?.[1];
  expect(yaml, 'demo.sh writes its config in a YAML heredoc').toBeDefined();
  const vars: Record<string, string> = {
    app_dir: '/var/lib/switchyard-demo/app',
    image: '127.0.0.1:5000/sytest-demo/app-backend',
    home: '/var/lib/switchyard-demo',
    listen: '127.0.0.1:8090',
    port: '8091',
  };
  return parseConfig(
    yaml!.replace(/\$(\w+)/g, (_, name: string) => vars[name] ?? `$${name}`),
    'demo config',
  );
}

describe("the demo's config matches its app", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-demo-config-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('names the migration file each demo version changes, so the deploy plan lists it', async () => {
    git(dir, ['init', '--quiet', '--initial-branch=main']);
    const shas = (['v1', 'v2', 'v3'] as const).map((name) => {
      writeVersionFiles(dir, SAMPLE_VERSIONS[name]);
      git(dir, ['add', '-A']);
      git(dir, ['commit', '--quiet', '-m', name]);
      return git(dir, ['rev-parse', 'HEAD']);
    });
    const { migrationPaths } = demoConfig().project;
    const changed = async (from: string, to: string, paths: readonly string[]) =>
      (await versionChanges(dir, { from, to, tag: null, migrationPaths: paths }, new Redactor())).migrations;

    const [v1, v2, v3] = shas as [string, string, string];
    expect(await changed(v1, v2, migrationPaths)).toEqual([{ status: 'M', path: SAMPLE_MIGRATION_FILE }]);
    expect(await changed(v2, v3, migrationPaths)).toEqual([{ status: 'M', path: SAMPLE_MIGRATION_FILE }]);
    // Why the demo names its own: the defaults see no migration in the sample app.
    expect(await changed(v1, v2, DEFAULT_MIGRATION_PATHS)).toEqual([]);
  });
});
