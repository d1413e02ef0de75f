import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db.js';
import { migrations } from '../../src/store/migrations.js';

describe('the off-site migration', () => {
  it('rebuilds deployments for kind "restore" without losing rows or the references to them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-mig-'));
    try {
      // A state DB from before: every migration up to the off-site one, with a deployment, its step and its backup.
      const offsiteMigration = migrations.findIndex((m) => m.includes('CREATE TABLE offsite_uploads'));
      expect(offsiteMigration).toBeGreaterThan(0);
      const old = new Database(path.join(dir, 'switchyard.db'));
      old.pragma('foreign_keys = ON');
      for (let v = 0; v < offsiteMigration; v++) old.exec(migrations[v]!);
      old.pragma(`user_version = ${offsiteMigration}`);
      old.exec(`INSERT INTO deployments (id, kind, ref, status, actor, created_at, commit_sha, images) VALUES (7, 'deploy', 'v1', 'succeeded', 't', '2026-01-01', 'abc', '{"web":"x"}');
        INSERT INTO deployment_steps (deployment_id, seq, name, status, started_at) VALUES (7, 1, 'pull', 'ok', '2026-01-01');
        INSERT INTO backups (id, file_name, temp_name, database_name, reason, actor, status, created_at, deployment_id) VALUES (3, 'f.dump', '.f', 'app', 'pre-deploy', 't', 'ok', '2026-01-01', 7);`);
      old.close();

      const db = openDb(dir);
      try {
        expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
        expect(db.prepare(`SELECT id, kind, ref, commit_sha, images FROM deployments`).all()).toEqual([{ id: 7, kind: 'deploy', ref: 'v1', commit_sha: 'abc', images: '{"web":"x"}' }]);
        expect(db.pragma('foreign_key_check')).toEqual([]);
        expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
        db.prepare(`INSERT INTO deployments (kind, status, actor, created_at) VALUES ('restore', 'running', 't', '2026-01-02')`).run();
        expect(() => db.prepare(`INSERT INTO deployments (kind, status, actor, created_at) VALUES ('bogus', 'running', 't', '2026-01-02')`).run()).toThrow(/CHECK/);
        expect(() => db.prepare(`INSERT INTO deployment_steps (deployment_id, seq, name, status, started_at) VALUES (99, 1, 'x', 'ok', 'now')`).run()).toThrow(/FOREIGN KEY/);
      } finally {
        db.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
