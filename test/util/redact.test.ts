import { describe, expect, it } from 'vitest';
import { redact, registerUrlSecret } from '../../src/util/redact.js';

const URL_WITH_AT = 'postgres://atuser:Hidden@TailSecret99@127.0.0.1:5432/app';

describe('redact', () => {
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
    registerUrlSecret('postgres://u:Pct%40Encoded%2Fpw77@127.0.0.1/app');
    expect(redact('error: password Pct@Encoded/pw77 rejected')).toBe('error: password *** rejected');
    expect(redact('raw Pct%40Encoded%2Fpw77 form')).toBe('raw *** form');
  });
});
