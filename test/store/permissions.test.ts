import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('state dir permissions', () => {
  let root: string;
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('makes an existing 0755 state dir 0700 and its files 0600, at every start', () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-perm-'));
    const state = path.join(root, 'state');
    const previous = process.umask(0o022);
    try {
      fs.mkdirSync(state, { mode: 0o755 });
      fs.chmodSync(state, 0o755);
      fs.writeFileSync(path.join(state, 'pins.compose.yml'), 'services: {}\n', { mode: 0o644 });
      let store = openStore(state);
      store.audit.record({ actor: 'test', action: 'write', outcome: 'ok' }); // the WAL has content
      expect(mode(state)).toBe(0o700);
      for (const f of ['switchyard.db', 'switchyard.db-wal', 'switchyard.db-shm', 'pins.compose.yml'])
        expect(mode(path.join(state, f)), f).toBe(0o600);
      store.close();

      // Loosened by hand (or by an older version): the next start tightens it again.
      fs.chmodSync(state, 0o755);
      fs.chmodSync(path.join(state, 'switchyard.db'), 0o644);
      fs.chmodSync(path.join(state, 'pins.compose.yml'), 0o666);
      store = openStore(state);
      expect(mode(state)).toBe(0o700);
      expect(mode(path.join(state, 'switchyard.db'))).toBe(0o600);
      expect(mode(path.join(state, 'pins.compose.yml'))).toBe(0o600);
      store.close();
    } finally {
      process.umask(previous);
    }
  });
});
