/**
 * Where the time of switchyard's restore step goes: the phases of
 * restoreDatabase() (src/backup/restore.ts) redone one by one with the same
 * building blocks, each under its own clock. Restores into a scratch database,
 * never touching the live one. Used by bench/restore.ts.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sha256File } from '../src/backup/checksum.js';
import { restoreBackupFile } from '../src/backup/pgRestore.js';
import type { Runtime } from '../src/app/runtime.js';
import { compareFacts, inspectDatabase, quoteIdent, type SqlSession } from '../src/database/index.js';
import type { BackupRow } from '../src/store/index.js';
import { median, since } from './lib.js';

/** Seconds per phase, in the order restoreDatabase() runs them. */
export interface Breakdown {
  /** Reading the whole dump file back for its sha256. */
  sha256: number;
  create: number;
  /** restoreBackupFile: in URL mode, parallel data streams straight from the file (src/backup/restoreStreams.ts). */
  pgRestore: number;
  /** Row counts (count(*) of every table) and schema fingerprint on the fresh copy. */
  verify: number;
  /** One of the swap's two ALTER DATABASE … RENAME. */
  rename: number;
  /** DROP DATABASE of a copy this size: the swap's drop of the outgoing database. */
  drop: number;
}

const PHASES = ['sha256', 'create', 'pgRestore', 'verify', 'rename', 'drop'] as const satisfies ReadonlyArray<
  keyof Breakdown
>;

/** The median of every phase over several runs. */
export function medianBreakdown(runs: readonly Breakdown[]): Breakdown {
  const result = {} as Breakdown;
  for (const phase of PHASES) result[phase] = median(runs.map((r) => r[phase]));
  return result;
}

export async function restoreBreakdown(ctx: Runtime, backup: BackupRow): Promise<Breakdown> {
  const file = path.join(ctx.config.backups.dir, backup.fileName);
  const target = ctx.database();
  let scratch = `${target.database}_bench_phases`;
  const phases: Partial<Breakdown> = {};
  const timed = async <T>(phase: keyof Breakdown, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    phases[phase] = since(started);
    return result;
  };
  const verify = async (session: SqlSession) => {
    const facts = await inspectDatabase(session);
    const issues = compareFacts(
      { rowCounts: backup.rowCounts ?? {}, schemaFingerprint: backup.schemaFingerprint ?? '' },
      facts,
    );
    if (issues.length) throw new Error(`restored copy differs from the catalog: ${issues.slice(0, 3).join('; ')}`);
  };

  const admin = await target.session('postgres');
  try {
    await timed('sha256', async () => {
      if ((await sha256File(file)) !== backup.sha256)
        throw new Error(`${backup.fileName} does not match its recorded sha256`);
    });
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(scratch)} WITH (FORCE)`); // a leftover of an interrupted run
    await timed('create', () => admin.query(`CREATE DATABASE ${quoteIdent(scratch)} TEMPLATE template0`));
    try {
      await timed('pgRestore', () => restoreBackupFile(target, scratch, file));
      const session = await target.session(scratch);
      try {
        await timed('verify', () => verify(session));
      } finally {
        await session.close();
      }
      const renamed = `${scratch}_renamed`;
      await timed('rename', () =>
        admin.query(`ALTER DATABASE ${quoteIdent(scratch)} RENAME TO ${quoteIdent(renamed)}`),
      );
      scratch = renamed;
    } finally {
      await timed('drop', () => admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(scratch)} WITH (FORCE)`));
    }
  } finally {
    await admin.close();
  }
  return { sha256: 0, create: 0, pgRestore: 0, verify: 0, rename: 0, drop: 0, ...phases };
}
