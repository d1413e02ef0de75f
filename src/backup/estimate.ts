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
  const fromCatalog = estimateFromLastDump(backups, target.database);
  if (fromCatalog) return fromCatalog;
  const session = await target.session();
  try {
    return withMargin(Number(await session.query('SELECT pg_database_size(current_database())')), 'database size');
  } finally {
    await session.close();
  }
}

const withMargin = (expectedBytes: number, basis: DumpEstimate['basis']): DumpEstimate => ({
  expectedBytes,
  neededBytes: Math.ceil(expectedBytes * DUMP_MARGIN),
  basis,
});
