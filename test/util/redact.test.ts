import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../src/ops/journal.js';
import { finishDeployment } from '../../src/ops/report.js';
import { failed, oneLine } from '../../src/errors.js';
import { errorResponse } from '../../src/server/errors.js';
import { createLogger } from '../../src/util/log.js';
import { friendlyError } from '../../web/lib/errors.js';
import { fakeWorld } from '../deploy/fakePorts.js';
import { maskCredentialUrl, Redactor } from '../../src/util/redact.js';

const URL_WITH_AT = 'postgres://atuser:Hidden@TailSecret99@127.0.0.1:5432/app';

describe('redact', () => {
  const redactor = new Redactor();
  const { redact } = redactor;
  it('masks a password holding a raw "@" entirely, as the URL parser reads it', () => {
    const parsed = new URL(URL_WITH_AT);
    expect(decodeURIComponent(parsed.password)).toBe('Hidden@TailSecret99'); // what libpq and node-postgres use
    const out = redact(`backup started on ${URL_WITH_AT} (retry)`);
    expect(out).toBe('backup started on postgres://atuser:***@127.0.0.1:5432/app (retry)');
    expect(out).not.toContain('TailSecret99');
    expect(out).not.toContain('Hidden');
  });

  it('masks inside JSON, in a list of URLs, and leaves URLs without a password alone', () => {
    const json = JSON.stringify({ database: { url: URL_WITH_AT }, other: 'https://example.org/a@b' });
    const out = redact(json);
    expect(out).not.toMatch(/Hidden|TailSecret99/);
    expect(out).toContain('"https://example.org/a@b"'); // "@" in a path is not user info
    expect(redact('a postgres://u:p1@h/x, b postgres://v:p@2@h2/y')).toBe(
      'a postgres://u:***@h/x, b postgres://v:***@h2/y',
    );
    expect(redact('http://user@host/x')).toBe('http://user@host/x');
  });

  it('masks a registered URL password wherever it appears on its own, decoded or encoded', () => {
    redactor.registerUrl('postgres://u:Pct%40Encoded%2Fpw77@127.0.0.1/app');
    expect(redact('error: password Pct@Encoded/pw77 rejected')).toBe('error: password *** rejected');
    expect(redact('raw Pct%40Encoded%2Fpw77 form')).toBe('raw *** form');
  });
});

describe('secrets in URL queries and credential URLs', () => {
  it('masks secret-named query values of any URL by their shape, and leaves the others as they are', () => {
    const { redact } = new Redactor();
    expect(redact('cannot reach postgres://u@h:5432/app?sslmode=require&password=Qp-77x&sslpassword=k%40y9')).toBe(
      'cannot reach postgres://u@h:5432/app?sslmode=require&password=***&sslpassword=***',
    );
    expect(redact('"postgresql://u:pw1234@h/app?PassWord=abc1234&application_name=x"')).toBe(
      '"postgresql://u:***@h/app?PassWord=***&application_name=x"',
    );
    expect(redact('GET https://s3.example.org/b/k?X-Amz-Signature=f00d&X-Amz-Credential=AKIA%2F1&part=2 failed')).toBe(
      'GET https://s3.example.org/b/k?X-Amz-Signature=***&X-Amz-Credential=***&part=2 failed',
    );
    expect(redact('https://example.org/search?q=password')).toBe('https://example.org/search?q=password');
    expect(redact('cannot connect to postgres://u@h/app?password=x1: refused (see postgres://h/b?sslkey=/k).')).toBe(
      'cannot connect to postgres://u@h/app?password=***: refused (see postgres://h/b?sslkey=***).',
    );
  });

  it('learns the query password of a URL, so that it is masked on its own, decoded or encoded', () => {
    const redactor = new Redactor();
    redactor.registerUrl('postgres://u@h/app?sslmode=require&password=Query%2BSecret%40One&sslpassword=Key-Pass-22');
    expect(redactor.redact('auth failed for Query+Secret@One; raw Query%2BSecret%40One; key Key-Pass-22')).toBe(
      'auth failed for ***; raw ***; key ***',
    );
    expect(redactor.redact('sslmode require')).toBe('sslmode require'); // only secret-named parameters
  });

  it('shows a credential URL as its host and first path segment, and masks its parts wherever they appear', () => {
    expect(maskCredentialUrl('https://hooks.slack.com/services/T0001/B0001/XXXXXXXXXXXXXXXXXXXXXXXX')).toBe(
      'https://hooks.slack.com/services/***',
    );
    expect(maskCredentialUrl('https://bot:pw-9@example.org:8443/hook?token=abc&x=1#frag')).toBe(
      'https://***@example.org:8443/***?token=***&x=***#***',
    );
    expect(maskCredentialUrl('https://example.org')).toBe('https://example.org');

    const redactor = new Redactor();
    const slack = 'https://hooks.slack.com/services/T0001/B0001/XXXXXXXXXXXXXXXXXXXXXXXX';
    redactor.registerCredentialUrl(slack);
    redactor.registerCredentialUrl('https://bot:Hook-Pass-1@example.org/hook?sig=Sig-Value-2');
    expect(redactor.redact(JSON.stringify({ webhooks: [{ url: slack }] }))).toBe(
      '{"webhooks":[{"url":"https://hooks.slack.com/services/***"}]}',
    );
    expect(redactor.redact('POST /services/T0001/B0001/XXXXXXXXXXXXXXXXXXXXXXXX: 404; Hook-Pass-1 Sig-Value-2')).toBe(
      'POST /services/T0001/B0001/***: 404; *** ***',
    );
    expect(redactor.redact('the /hook and /services paths')).toBe('the /hook and /services paths');
  });
});

describe('Redactor instances and the edges that use them', () => {
  const SECRET = 'Deep-Secret-4711';
  /** A deep module's error carrying a registered secret, as a driver might echo it. */
  const deepError = () => failed(`pg_dump: password authentication failed: ${SECRET}`);

  it('two Redactors in one process do not share secrets', () => {
    const a = new Redactor();
    const b = new Redactor();
    a.register(SECRET);
    b.registerUrl('postgres://u:Other-Secret-99@h/app');
    expect(a.redact(`x ${SECRET} Other-Secret-99`)).toBe('x *** Other-Secret-99');
    expect(b.redact(`x ${SECRET} Other-Secret-99`)).toBe(`x ${SECRET} ***`);
    expect(new Redactor().redact(SECRET)).toBe(SECRET);
  });

  it('the logger, the API error mapper and the UI error line mask a secret of a deep error', async () => {
    const redactor = new Redactor();
    redactor.register(SECRET);
    const lines: string[] = [];
    const log = createLogger({ redactor, write: (l) => lines.push(l) });
    log.error('backup failed', { error: deepError() });
    expect(lines.join('\n')).toContain('***');
    expect(lines.join('\n')).not.toContain(SECRET);

    const app = new Hono();
    app.onError(errorResponse(log, redactor));
    app.get('/x', () => {
      throw deepError();
    });
    const res = await app.request('/x');
    expect(res.status).toBe(500);
    expect(await res.text()).toBe(JSON.stringify({ error: 'pg_dump: password authentication failed: ***' }));
    expect(lines.join('\n')).not.toContain(SECRET);

    expect(friendlyError(deepError(), redactor).text).toBe('Pg_dump: password authentication failed: ***.');
  });

  it('the journal, the outcome reporter and the deployment record mask it with the ports redactor', async () => {
    const world = fakeWorld();
    try {
      world.redactor.register(SECRET);
      const { store, ports } = world;
      const id = store.deployments.create({ kind: 'deploy', ref: 'v2', commit: 'a'.repeat(40), tag: null, actor: 't' });
      const journal = new Journal(ports, id);
      journal.log(`compose: connecting with ${SECRET}`);
      await journal.step(
        'pull',
        async () => ({ note: `saw ${SECRET}` }),
        (r) => r,
      );
      await expect(journal.step('backup', async () => Promise.reject(deepError()))).rejects.toThrow(SECRET);
      finishDeployment(ports, id, 'failed', oneLine(deepError()), (message) => ({
        audit: { actor: 't', action: 'deploy', target: 'v2', ok: false, detail: message },
        notification: { event: 'deploy', ok: false, summary: `deploy failed: ${message}`, details: {} },
        log: { level: 'error', message: 'deploy failed', fields: { error: oneLine(deepError()) } },
      }));
      const kept = JSON.stringify({
        steps: store.deployments.steps(id),
        output: store.deployments.output(id),
        record: store.deployments.get(id),
        audit: store.audit.list(),
        notifications: world.notifications,
        log: world.logLines,
      });
      expect(kept).toContain('***');
      expect(kept).not.toContain(SECRET);
    } finally {
      world.cleanup();
    }
  });
});
