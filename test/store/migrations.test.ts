import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/db.js';
import { DeploymentLog } from '../../src/store/deployments.js';
import { migrations } from '../../src/store/migrations.js';

const columns = (db: Database.Database, table: string) =>
  (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);

describe('store migrations', () => {
  it('drop the deployment columns nothing reads, keeping the records of an existing database', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    // A database as the previous release left it, with a deployment in it.
    for (const [version, sql] of migrations.slice(0, -1).entries()) {
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
