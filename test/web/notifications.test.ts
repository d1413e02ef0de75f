import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/main/http.js';
import { resolveTokens } from '../../src/server/tokens.js';
import { testContext, type TestContext } from '../fixtures/context.js';

const ADMIN = 'notify-test-admin-token-0123456789';
const OPERATOR = 'notify-test-operator-token-012345';
const VIEWER = 'notify-test-viewer-token-01234567';
const SLACK_SECRET = 'XyZslackPathSecret0042';
const hash = (t: string) => createHash('sha256').update(t).digest('hex');

/** The Overview's notification settings: what the config file says, webhook URLs masked, for operators and admins. */
describe('web UI: notification settings on the Overview', () => {
  let ctx: TestContext;
  let app: ReturnType<typeof createHttpApp>;
  const overviewAs = async (token: string) => {
    const login = await app.request('/login', { method: 'POST', body: new URLSearchParams({ token }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    return (await app.request('/', { headers: { cookie } })).text();
  };

  beforeAll(() => {
    ctx = testContext({
      database: '{ url: "postgres://u:pw-secret@127.0.0.1:1/app" }',
      extra: [
        `server: { tokens: [{ name: ops, role: operator, sha256: "${hash(OPERATOR)}" }, { name: vic, role: viewer, sha256: "${hash(VIEWER)}" }] }`,
        'notify:',
        '  retries: 2',
        '  webhooks:',
        `    - { url: "https://hooks.slack.com/services/T0001/B0002/${SLACK_SECRET}", format: slack, events: [deploy, rollback], onlyFailures: true }`,
        '    - { url: "https://ops.example.com/hook?token=hook-query-secret&team=ops" }',
      ].join('\n'),
    });
    app = createHttpApp(ctx, resolveTokens(ctx.config, { SWITCHYARD_ADMIN_TOKEN: ADMIN }, ctx.redactor));
  });
  afterAll(() => ctx?.cleanup());

  it('lists each webhook, its format, events and outcomes, with no secret of its URL', async () => {
    for (const token of [ADMIN, OPERATOR]) {
      const page = await overviewAs(token);
      const section = page.slice(page.indexOf('id="notify-title"'));
      expect(section).toContain('<code>https://hooks.slack.com/services/***</code>');
      expect(section).toMatch(/slack<\/td><td data-label="Events">deploy, rollback<\/td><td [^>]*>failures only/);
      expect(section).toMatch(/generic<\/td><td data-label="Events">every event<\/td><td [^>]*>every outcome/);
      expect(section).toContain('tried again up to 2 times');
      expect(page).not.toContain(SLACK_SECRET);
      expect(page).not.toContain('hook-query-secret');
    }
  });

  it('is not shown to a viewer', async () => {
    const page = await overviewAs(VIEWER);
    expect(page).toContain('Current version');
    expect(page).not.toContain('Notifications');
  });
});
