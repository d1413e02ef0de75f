import { carryOver, stageRows, type CarryOverMode, type CarryOverReport, type StagedRows } from '../carryover/run.js';
import type { SqlSession } from '../database/index.js';
import { quoteIdent } from '../database/index.js';
import { failed } from '../errors.js';
import type { BackupRow } from '../store/index.js';
import { fenceDatabase, liftFence } from './fence.js';
import type { RestorePorts } from './ports.js';
import { keptName, swapKeeping, type KeptRef } from './kept.js';
import { restoreBeside, swapNames, withAdmin } from './restore.js';

/**
 * A restore that keeps the app serving until its copy is ready: `begin` restores and verifies the dump
 * beside the live database; then, step by step as the rollback journals them, the carry-over's first
 * pass, the fence, the carry-over, and the swap, which keeps the replaced database for its dump (kept.ts).
 * `abandon` undoes whatever came before the swap.
 */
export interface OnlineRestore {
  /** How pg_restore ran, for the log. */
  readonly via: string;
  /** The carry-over's first pass (mode inserts), while the app serves: how many tables were staged. */
  stageRows(): Promise<{ tables: number }>;
  /** No session on the live database from here on but the carry-over's own; returns how many were ended. */
  fence(): Promise<{ ended: number }>;
  /** Mode inserts: the second pass and the carry, the leftovers file written to `leftovers.file`. */
  carryOver(leftovers: { file: string; title: string }): Promise<CarryOverReport>;
  /** The copy takes the live database's name; the replaced one is kept (kept.ts), named after the operation. */
  swap(): Promise<{ kept: string }>;
  /** Before the swap: the fence lifted, the copy dropped. Never throws. */
  abandon(): Promise<void>;
}

export async function beginOnlineRestore(
  ports: RestorePorts,
  backup: BackupRow,
  mode: CarryOverMode,
  keep: KeptRef,
): Promise<OnlineRestore> {
  const { target, via } = await restoreBeside(ports, backup);
  const live = target.database;
  const { incoming } = swapNames(live);
  const kept = keptName(live, keep);
  let staged: StagedRows | undefined;
  let fenced: SqlSession | undefined;

  const closeFenced = async () => {
    await fenced?.close();
    fenced = undefined;
  };
  return {
    via,
    async stageRows() {
      staged = await stageRows(target, live, incoming);
      return { tables: staged.plans.length };
    },
    async fence() {
      if (mode === 'inserts') fenced = await target.session(live); // opened before the fence shuts the door
      const keep = fenced ? Number(await fenced.query('SELECT pg_backend_pid()')) : 0;
      const ended = await withAdmin(target, (admin) => fenceDatabase(admin, live, keep));
      return { ended };
    },
    async carryOver(leftovers) {
      if (!staged || !fenced) throw failed('the carry-over needs its first pass and the fence first');
      try {
        return await carryOver(target, fenced, incoming, staged, leftovers);
      } finally {
        await closeFenced();
      }
    },
    async swap() {
      await closeFenced();
      await withAdmin(target, (admin) => swapKeeping(admin, live, incoming, kept));
      ports.log.info('database restored online', { backup: backup.id, file: backup.fileName, via, mode, kept });
      return { kept };
    },
    async abandon() {
      await closeFenced().catch(() => undefined);
      await withAdmin(target, async (admin) => {
        await liftFence(admin, live);
        await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(incoming)} WITH (FORCE)`);
      }).catch((e: unknown) => ports.log.warn('cannot clear an abandoned restore', { error: String(e) }));
    },
  };
}
