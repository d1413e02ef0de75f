import { quoteIdent, type SqlSession } from '../database/index.js';
import { failed } from '../errors.js';
import { quoteLiteral } from '../database/sql.js';

/**
 * Fences database `name`: no new session may connect (ALLOW_CONNECTIONS false, which binds superusers
 * too), and every session on it but `keep` is ended and waited for, so that from here on nothing commits
 * there unseen. `admin` is on another database. Returns how many sessions were ended.
 */
export async function fenceDatabase(admin: SqlSession, name: string, keep: number): Promise<number> {
  await admin.query(`ALTER DATABASE ${quoteIdent(name)} ALLOW_CONNECTIONS false`);
  const others = `FROM pg_stat_activity WHERE datname = ${quoteLiteral(name)} AND pid <> pg_backend_pid() AND pid <> ${keep}`;
  let ended = 0;
  for (let attempt = 1; attempt <= 20; attempt++) {
    // The timeout makes pg_terminate_backend wait until the session is gone, its last commit with it.
    ended += Number(await admin.query(`SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) ${others}`));
    if (Number(await admin.query(`SELECT count(*) ${others}`)) === 0) return ended;
  }
  throw failed(`sessions on database ${name} would not end`);
}

/** Lets sessions connect to `name` again (idempotent; a database that does not exist is left alone). */
export async function liftFence(admin: SqlSession, name: string): Promise<boolean> {
  // Text, not a boolean: node-postgres and psql (a container's) spell booleans differently.
  const state = await admin.query(
    `SELECT CASE WHEN datallowconn THEN 'open' ELSE 'fenced' END FROM pg_database WHERE datname = ${quoteLiteral(name)}`,
  );
  if (state !== 'fenced') return false;
  await admin.query(`ALTER DATABASE ${quoteIdent(name)} ALLOW_CONNECTIONS true`);
  return true;
}
