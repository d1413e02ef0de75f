import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/index.js';
import { auditQueryFrom } from '../../src/store/audit.js';

describe('audit log pages', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-audit-'));
    store = openStore(dir);
    // 62 entries, mostly logins, as on a host where people look more than they act.
    for (let i = 1; i <= 62; i++) {
      const [action, outcome] =
        i % 10 === 0 ? ['backup.create', 'ok'] : i % 7 === 0 ? ['ui.login', 'refused'] : ['ui.login', 'ok'];
      store.audit.record({ actor: 'ui:olga', action, outcome: outcome as 'ok' | 'refused' });
    }
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('pages newest first: before an id, as many as asked', () => {
    const first = store.audit.list(50, {});
    expect(first.map((e) => e.id)).toEqual(Array.from({ length: 50 }, (_, i) => 62 - i));
    expect(store.audit.list(50, { before: first.at(-1)!.id }).map((e) => e.id)).toEqual(
      Array.from({ length: 12 }, (_, i) => 12 - i),
    );
  });

  it('hides successful logins and logouts when asked, keeping refused ones', () => {
    const shown = store.audit.list(200, { hideLogins: true });
    expect(shown.map((e) => `${e.action} ${e.outcome}`).sort()).toEqual([
      ...Array(6).fill('backup.create ok'),
      ...Array(8).fill('ui.login refused'),
    ]);
  });

  it('reads a page from the query with each surface its defaults, and refuses bad values in one line', () => {
    const ui = { limit: 50, logins: 'hide' as const };
    expect(auditQueryFrom({}, ui)).toEqual({ filter: { hideLogins: true }, limit: 50 });
    expect(auditQueryFrom({ logins: 'show', before: '40', limit: '5' }, ui)).toEqual({
      filter: { before: 40, hideLogins: false },
      limit: 5,
    });
    // Asking for logins by name shows them.
    expect(auditQueryFrom({ action: 'ui.login' }, ui).filter.hideLogins).toBe(false);
    expect(auditQueryFrom({ actor: '' }, { limit: 200, logins: 'show' })).toEqual({
      filter: { hideLogins: false },
      limit: 200,
    });
    expect(() => auditQueryFrom({ limit: '0' }, ui)).toThrow(/^limit: .*/);
    expect(() => auditQueryFrom({ before: 'x' }, ui)).toThrow(/^before: /);
    expect(() => auditQueryFrom({ limit: '201' }, ui)).toThrow(/^limit: /);
  });
});
