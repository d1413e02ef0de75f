import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { createHttpApp } from '../../src/main/http.js';
import { resolveTokens } from '../../src/server/tokens.js';
import { switchyard } from '../fixtures/cli.js';
import { testContext } from '../fixtures/context.js';

/** README is a contract: its config, commands and routes must be the ones that exist. */
const readme = fs.readFileSync('README.md', 'utf8');
const section = (title: string) => readme.split(`\n## ${title}\n`)[1]!.split('\n## ')[0]!;

describe('README stays true', () => {
  it('the config example parses with the real schema and the table documents every top-level key', () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section('Config reference'))![1]!;
    const config = parseConfig(yaml, 'README');
    for (const key of Object.keys(config)) expect(section('Config reference')).toContain(`\`${key}`);
  });

  it('every command in the CLI table exists, and every command exists in the table', async () => {
    const documented = [...section('CLI reference').matchAll(/^\| `switchyard (\w+)/gm)].map((m) => m[1]!);
    const help = (await switchyard(['--help'])).stdout;
    const actual = [...help.matchAll(/^ {2}(\w+)/gm)].map((m) => m[1]!);
    expect(new Set(documented)).toEqual(new Set(actual));
  });

  it('every route in the API table answers (never "no route"), and the runbook calls are shown', async () => {
    const ctx = testContext({ database: '{ service: db, name: app }' });
    try {
      const token = 'readme-test-token-0123456789';
      const app = createHttpApp(ctx, resolveTokens(ctx.config, { SWITCHYARD_ADMIN_TOKEN: token }, ctx.redactor));
      const routes = [...section('HTTP API reference').matchAll(/^\| `(GET|POST) (\/api\/[^`]+)`/gm)].map(
        (m) => [m[1]!, m[2]!.replace(':id', '999')] as const,
      );
      expect(routes.length).toBeGreaterThan(10);
      for (const [method, path] of routes) {
        // Authenticated but deliberately broken input: the route must exist and answer its own error.
        const res = await app.request(path, {
          method,
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: method === 'POST' ? '{"bogus": 1}' : undefined,
        });
        const body = await res.text();
        expect(body, `${method} ${path}`).not.toContain('no route');
      }
      expect(readme).toContain(
        'curl -X POST http://127.0.0.1:8090/api/system/backups/create -H "Authorization: Bearer $ADMIN_TOKEN"',
      );
    } finally {
      ctx.cleanup();
    }
  });
});
