import { databaseSize, estimateDump, estimateRestoreSpace } from '../backup/estimate.js';
import type { CarryOverMode } from '../carryover/run.js';
import type { Config } from '../config/index.js';
import { inspectDatabase, withSession, type DatabaseTarget } from '../database/index.js';
import type { BackupRow, Store } from '../store/index.js';
import { freeBytes } from '../util/diskSpace.js';
import { restoreSpaceProblem } from './checks.js';
import { compareRowCounts } from '../carryover/rollbackImpact.js';

/** What the room check reads: the catalog's dumps, the live database, and the free space where backups go. */
export interface RestoreSpacePorts {
  config: Pick<Config, 'backups'>;
  store: Pick<Store, 'backups'>;
  database(): DatabaseTarget;
  /** Free bytes at a directory (src/util/diskSpace.ts); injected so that a test can say the disk is full. */
  freeBytes?: (dir: string) => Promise<number | null>;
}

/**
 * Whether there is room to restore `dump` online as a rollback does (the plan's blocker, and the rollback's
 * `check` step): null when there is, or when the space is unknown.
 */
export async function rollbackSpaceProblem(
  ports: RestoreSpacePorts,
  dump: BackupRow,
  mode: CarryOverMode,
): Promise<string | null> {
  const dir = ports.config.backups.dir;
  const target = ports.database();
  const [free, liveBytes, facts, next] = await Promise.all([
    (ports.freeBytes ?? freeBytes)(dir),
    databaseSize(target),
    mode === 'inserts' ? withSession(target, inspectDatabase) : null,
    estimateDump(ports.store.backups.list({ status: 'ok' }), target),
  ]);
  const tables = facts ? compareRowCounts(facts.rowCounts, dump.rowCounts ?? {}) : [];
  const rows = {
    now: tables.reduce((n, t) => n + (t.rowsNow ?? 0), 0),
    inserted: tables.reduce((n, t) => n + Math.max(0, t.difference), 0),
  };
  return restoreSpaceProblem(dir, estimateRestoreSpace(liveBytes, rows, mode === 'inserts', next), free);
}
