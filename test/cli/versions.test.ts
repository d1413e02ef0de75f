import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { switchyard } from '../fixtures/cli.js';
import { startFakeGitHub, type FakeGitHub } from '../fixtures/github.js';
import { commit, git } from '../versions/gitRepo.js';

/** What a terminal would act on: C0 controls but newline, DEL, C1 controls, bidi overrides. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for them
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('switchyard versions prints what git and GitHub say, never their control characters', () => {
  let dir: string;
  let github: FakeGitHub;
  let config: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-cli-versions-'));
    const repo = path.join(dir, 'repo');
    fs.mkdirSync(repo);
    git(repo, ['init', '--quiet', '--initial-branch=main']);
    commit(repo, 'fix: safe', '2026-01-01T10:00:00Z');
    git(repo, ['tag', 'v1.0.0']);
    // A title change, a screen clear, a carriage return over the line, a C1 CSI and a right-to-left override.
    commit(repo, 'feat: \u001b]0;owned\u0007x \u001b[2J\rfake \u009b31m red \u202egnp.exe', '2026-01-02T10:00:00Z');
    github = await startFakeGitHub({
      repo: 'acme/app',
      releases: [
        {
          tag_name: 'v0.9.0', // not tagged here: listed by its name
          name: 'Preview \u001b[8mhidden\u001b[0m\nsecond line',
          body: 'notes \u001b[31m',
          published_at: '2025-12-01T00:00:00Z',
          prerelease: false,
          draft: false,
          target_commitish: 'main',
        },
      ],
    });
    config = path.join(dir, 'config.yaml');
    fs.writeFileSync(
      config,
      [
        `project: { dir: ${repo} }`,
        'database: { service: db, name: app }',
        `stateDir: ${dir}/state`,
        `github: { repo: acme/app, apiUrl: "${github.url}", tokenEnv: SY_CLI_VERSIONS_GH }`,
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await github?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('as text, with each control character written as an escape, and in JSON that still parses', async () => {
    const text = await switchyard(['versions', '--config', config], { SY_CLI_VERSIONS_GH: 'ghp_cliVersionsToken0123' });
    expect(text.code).toBe(0);
    expect(text.stdout).not.toMatch(CONTROL);
    expect(text.stdout).toContain('\\u001b]0;owned\\u0007x \\u001b[2J');
    expect(text.stdout).toContain('\\u009b31m red \\u202egnp.exe');
    expect(text.stdout).toContain('Preview \\u001b[8mhidden\\u001b[0m\\u000asecond line');
    expect(text.stdout.split('\n').filter((l) => l.startsWith('second line'))).toEqual([]); // one row per version

    const json = await switchyard(['versions', '--json', '--config', config], {
      SY_CLI_VERSIONS_GH: 'ghp_cliVersionsToken0123',
    });
    expect(json.code).toBe(0);
    expect(json.stdout).not.toMatch(CONTROL);
    const subjects = (JSON.parse(json.stdout) as { versions: { commit: { subject: string } | null }[] }).versions.map(
      (v) => v.commit?.subject,
    );
    expect(subjects.some((s) => s?.includes('\u001b]0;owned\u0007x') && s.includes('\u009b31m red \u202egnp'))).toBe(
      true,
    );
  });
});
