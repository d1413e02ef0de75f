import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, openDb } from '../../src/store/db.js';
import { DeploymentLog } from '../../src/store/deployments.js';
import { migrations } from '../../src/store/migrations.js';

const columns = (db: Database.Database, table: string) =>
  (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);

describe('store migrations', () => {
  it('drop the deployment columns nothing reads, keeping the records of an existing database', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    // A database as the previous release left it, with a deployment in it.
    const dropMigration = migrations.findIndex((m) => m.includes('DROP COLUMN owner_pid'));
    for (const [version, sql] of migrations.slice(0, dropMigration).entries()) {
      db.exec(sql);
      db.pragma(`user_version = ${version + 1}`);
    }
    expect(columns(db, 'deployments')).toEqual(expect.arrayContaining(['owner_pid', 'detail']));
    db.prepare(
      `INSERT INTO deployments (kind, ref, status, actor, created_at, owner_pid) VALUES ('deploy', 'v1', 'succeeded', 'a', 'now', 1)`,
    ).run();

    migrate(db);
    expect(columns(db, 'deployments')).not.toContain('owner_pid');
    expect(columns(db, 'deployments')).not.toContain('detail');
    const log = new DeploymentLog(db);
    expect(log.get(1)).toMatchObject({ ref: 'v1', status: 'succeeded' });
    const id = log.create({ kind: 'deploy', ref: 'v2', commit: null, tag: null, actor: 'b' });
    log.finish(id, 'failed', 'boom');
    expect(log.get(id)).toMatchObject({ status: 'failed', error: 'boom' });
    db.close();
  });
});

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
        expect(db.prepare(`SELECT id, kind, ref, commit_sha, images FROM deployments`).all()).toEqual([
          { id: 7, kind: 'deploy', ref: 'v1', commit_sha: 'abc', images: '{"web":"x"}' },
        ]);
        expect(db.pragma('foreign_key_check')).toEqual([]);
        expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
        db.prepare(
          `INSERT INTO deployments (kind, status, actor, created_at) VALUES ('restore', 'running', 't', '2026-01-02')`,
        ).run();
        expect(() =>
          db
            .prepare(
              `INSERT INTO deployments (kind, status, actor, created_at) VALUES ('bogus', 'running', 't', '2026-01-02')`,
            )
            .run(),
        ).toThrow(/CHECK/);
        expect(() =>
          db
            .prepare(
              `INSERT INTO deployment_steps (deployment_id, seq, name, status, started_at) VALUES (99, 1, 'x', 'ok', 'now')`,
            )
            .run(),
        ).toThrow(/FOREIGN KEY/);
      } finally {
        db.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
