import type { DatabaseTarget } from '../database/index.js';
import type { BackupRow } from '../store/index.js';

/** Room asked for beyond the expected size: a database grows between two dumps. */
const DUMP_MARGIN = 1.2;

export interface DumpEstimate {
  /** The expected size of the next dump of this database. */
  expectedBytes: number;
  /** What the backups folder must have free for it: expectedBytes with the margin. */
  neededBytes: number;
  basis: 'last dump' | 'database size';
}

/**
 * The one estimate of the next dump's size (deploy preflight, the deploy plan, doctor): the last
 * good dump of this database, else the database size, which bounds a custom-format dump from above.
 */
export function estimateFromLastDump(backups: readonly BackupRow[], database: string): DumpEstimate | null {
  const last = backups.find((b) => b.status === 'ok' && b.databaseName === database && b.sizeBytes !== null);
  return last?.sizeBytes != null ? withMargin(last.sizeBytes, 'last dump') : null;
}

/** As estimateFromLastDump, asking the database for its size when there is no dump yet. */
export async function estimateDump(backups: readonly BackupRow[], target: DatabaseTarget): Promise<DumpEstimate> {
  return estimateFromLastDump(backups, target.database) ?? withMargin(await databaseSize(target), 'database size');
}

/** The live database's size on disk. */
export async function databaseSize(target: DatabaseTarget): Promise<number> {
  const session = await target.session();
  try {
    return Number(await session.query('SELECT pg_database_size(current_database())'));
  } finally {
    await session.close();
  }
}

/** What an online restore (a rollback) needs free beside the live database, part by part. */
export interface RestoreSpaceEstimate {
  /** The restored copy: about the size of the live database. */
  copyBytes: number;
  /** The carry-over's staged rows: the live size's share of rows inserted since the dump (none without carry-over). */
  stagingBytes: number;
  /** The safety dump of the replaced database: the next dump's estimate (estimateDump, with its margin). */
  dumpBytes: number;
  neededBytes: number;
}

/**
 * The one estimate of a rollback's room, from the dump estimate: `liveBytes` is the live database's size,
 * `rows` the rows now and the rows inserted since the dump (summed over tables), `carries` whether the
 * carry-over stages them. With the margin of the dump estimate on the copy and the staging too.
 */
export function estimateRestoreSpace(
  liveBytes: number,
  rows: { now: number; inserted: number },
  carries: boolean,
  dump: DumpEstimate,
): RestoreSpaceEstimate {
  const copyBytes = Math.ceil(liveBytes * DUMP_MARGIN);
  const share = carries && rows.now > 0 ? Math.min(1, rows.inserted / rows.now) : 0;
  const stagingBytes = Math.ceil(copyBytes * share);
  return {
    copyBytes,
    stagingBytes,
    dumpBytes: dump.neededBytes,
    neededBytes: copyBytes + stagingBytes + dump.neededBytes,
  };
}

const withMargin = (expectedBytes: number, basis: DumpEstimate['basis']): DumpEstimate => ({
  expectedBytes,
  neededBytes: Math.ceil(expectedBytes * DUMP_MARGIN),
  basis,
});
