import { quoteIdent, type SqlSession } from '../database/index.js';
import { fenceDatabase, liftFence } from './fence.js';
import type { RestorePorts } from './ports.js';
import { quoteLiteral } from '../database/sql.js';
import { withAdmin } from './restore.js';

/*
 * The kept database: at an online restore's swap the replaced database is not dropped but kept under a name
 * that says which operation replaced it, so that the app starts at once and the safety dump is taken after,
 * from the replaced database as it was at the fence (every committed row). It is dropped only once that dump
 * is verified (src/deploy/keptDatabase.ts); until then it is also what an undo swaps back.
 */

/**
 * Which kept database: the one operation `owner` replaced, or (`undo`) the one the undo of that operation
 * replaced in turn. Recovery decides from which exist: an operation's own kept database is the state from
 * before it (an undo swaps it back); an undo's means that undo already put the database back.
 */
export interface KeptRef {
  owner: number;
  undo: boolean;
}

/** `<live>_sy_kept_<id>`, or `<live>_sy_kept_<id>_undo`. */
export const keptName = (live: string, ref: KeptRef) => `${live}_sy_kept_${ref.owner}${ref.undo ? '_undo' : ''}`;

/** The kept databases of `live` on this server, oldest operation first. */
export async function keptOf(admin: SqlSession, live: string): Promise<KeptRef[]> {
  const prefix = `${live}_sy_kept_`;
  const names = await admin.query(
    `SELECT string_agg(datname, ',') FROM pg_database WHERE left(datname, ${prefix.length}) = ${quoteLiteral(prefix)}`,
  );
  return names
    .split(',')
    .map((n) => /^([1-9]\d*)(_undo)?$/.exec(n.slice(prefix.length)))
    .filter((m) => m !== null)
    .map((m) => ({ owner: Number(m[1]), undo: m[2] !== undefined }))
    .sort((a, b) => a.owner - b.owner || Number(a.undo) - Number(b.undo));
}

/**
 * live → kept, incoming → live, in one transaction: a crash leaves either both names as they were or both
 * swapped, never a live name missing. The live database is fenced: only stray sessions are ended here. The
 * kept database is opened again for its dump (the app connects by the live name only).
 */
export async function swapKeeping(admin: SqlSession, live: string, incoming: string, kept: string): Promise<void> {
  await exchange(admin, [
    [live, kept],
    [incoming, live],
  ]);
  await liftFence(admin, kept);
}

/**
 * The undo of swapKeeping: kept → live, and live → the undo's kept name, in one transaction. The database the
 * undo replaces (the restored copy, and whatever the new version wrote) is kept in turn, to be dumped and
 * dropped like any kept database. The live one is fenced first: nothing commits there unseen.
 */
export async function swapBack(admin: SqlSession, live: string, kept: string, replaced: string): Promise<void> {
  await fenceDatabase(admin, live, 0);
  await exchange(admin, [
    [live, replaced],
    [kept, live],
  ]);
  await liftFence(admin, live);
  await liftFence(admin, replaced);
}

export async function dropKept(admin: SqlSession, kept: string): Promise<void> {
  await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(kept)} WITH (FORCE)`);
}

/** Renames in one transaction, after ending the sessions still on those databases (a fence keeps them out). */
async function exchange(admin: SqlSession, renames: Array<[string, string]>): Promise<void> {
  const names = renames.map(([from]) => quoteLiteral(from)).join(', ');
  for (let attempt = 1; ; attempt++) {
    await admin.query(
      `SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity WHERE datname IN (${names}) AND pid <> pg_backend_pid()`,
    );
    try {
      await admin.query('BEGIN');
      for (const [from, to] of renames)
        await admin.query(`ALTER DATABASE ${quoteIdent(from)} RENAME TO ${quoteIdent(to)}`);
      await admin.query('COMMIT');
      return;
    } catch (e) {
      await admin.query('ROLLBACK').catch(() => undefined);
      // A client reconnected between the two statements (an unfenced database); try again a few times.
      if (attempt >= 5) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** The kept databases on the server `ports` reaches. */
export async function keptDatabasesOf(ports: RestorePorts): Promise<KeptRef[]> {
  const target = ports.database();
  return withAdmin(target, (admin) => keptOf(admin, target.database));
}

/** Operation `owner`'s kept database swapped back in, the replaced one kept as its undo's. */
export async function swapKeptBack(ports: RestorePorts, owner: number): Promise<void> {
  const target = ports.database();
  const kept = keptName(target.database, { owner, undo: false });
  await withAdmin(target, (admin) =>
    swapBack(admin, target.database, kept, keptName(target.database, { owner, undo: true })),
  );
  ports.log.info('kept database swapped back', { kept });
}

export async function dropKeptDatabase(ports: RestorePorts, ref: KeptRef): Promise<void> {
  const target = ports.database();
  const kept = keptName(target.database, ref);
  await withAdmin(target, (admin) => dropKept(admin, kept));
  ports.log.info('kept database dropped', { kept });
}
