import { quoteIdent, quoteLiteral } from '../database/index.js';
import { STAGING_SCHEMA } from './catalog.js';
import type { TablePlan } from './plan.js';

/*
 * The carry-over's statements, built from a plan (pure). A live table's rows are staged in the restored
 * copy as `_sy_carry.t<N>`: the row's ctid in the live table, whether it was written since the first
 * pass began, then every live column as text (c0, c1, …, in the live column order), and the verdict.
 * Text compares and copies across any two schemas; a value is cast to the restored type only when carried.
 */

export const stagingTable = (index: number) => `${quoteIdent(STAGING_SCHEMA)}.t${index}`;
const col = (plan: TablePlan, name: string) => `c${plan.live.columns.findIndex((c) => c.name === name)}`;
const liveCols = (plan: TablePlan) => plan.live.columns.map((_, i) => `c${i}`);

export function createStaging(plan: TablePlan, index: number): string {
  const columns = liveCols(plan).map((c) => `${c} text`);
  return `CREATE UNLOGGED TABLE ${stagingTable(index)} (_sy_ctid text NOT NULL, _sy_recent boolean NOT NULL, ${columns.join(', ')}, _sy_kind text, _sy_reason text)`;
}

/**
 * Whether a row's xmin is at or after `since` (a 64-bit transaction id): the transactions that may have
 * committed after a pass began. age() compares 32-bit xids modulo 2^32 against one reference, as the server
 * does, and puts frozen rows oldest; it costs far less per row than arithmetic on xmin's text.
 */
export function writtenSince(since: bigint): string {
  const low = since % 4294967296n;
  return `(age(xmin) <= age('${low < 3n ? 3n : low}'::xid))`;
}

const liveSelect = (plan: TablePlan) =>
  plan.live.columns.map((c) => `${quoteIdent(c.name)}::text`).join(', ') || 'NULL::text';

/** The first pass, run on the live database: COPY of every row, in the staging table's column order. */
export function copyOut(plan: TablePlan, since: bigint): string {
  return `COPY (SELECT ctid::text, ${writtenSince(since)}, ${liveSelect(plan)} FROM ONLY ${plan.table}) TO STDOUT`;
}

export function copyIn(plan: TablePlan, index: number): string {
  return `COPY ${stagingTable(index)} (_sy_ctid, _sy_recent, ${liveCols(plan).join(', ')}) FROM STDIN`;
}

/**
 * The second pass, on the fenced live database, one scan: how many rows predate the first pass
 * (these were all staged by it), and as JSON the rows written since (ctid first, then the columns).
 */
export function readRecent(plan: TablePlan, since: bigint): string {
  const recent = writtenSince(since);
  return `SELECT jsonb_build_object('old', count(*) FILTER (WHERE NOT ${recent}),
    'rows', COALESCE(jsonb_agg(jsonb_build_array(ctid::text, ${liveSelect(plan)})) FILTER (WHERE ${recent}), '[]'::jsonb))::text
    FROM ONLY ${plan.table}`;
}

/** The ctids of the rows that predate the first pass, when some of the staged ones are gone (updated or deleted). */
export function readOldCtids(plan: TablePlan, since: bigint): string {
  return `SELECT COALESCE(jsonb_agg(ctid::text), '[]'::jsonb)::text FROM ONLY ${plan.table} WHERE NOT ${writtenSince(since)}`;
}

/** A JSON text as a SQL literal, dollar-quoted with a tag the text does not hold. */
export function jsonLiteral(json: string): string {
  let tag = 'sy';
  while (json.includes(`$${tag}$`)) tag += 'x';
  return `$${tag}$${json}$${tag}$::jsonb`;
}

/**
 * Staged rows that were written since the first pass are replaced by what the second pass read. A carry
 * table's removed rows leave their keys in its gone table (see `settleDeleted`).
 */
export function replaceRecent(plan: TablePlan, index: number, rowsJson: string): string[] {
  const cols = liveCols(plan);
  const values = cols.map((_, i) => `r->>${i + 1}`);
  return [
    removeStaged(plan, index, '_sy_recent'),
    `INSERT INTO ${stagingTable(index)} (_sy_ctid, _sy_recent, ${cols.join(', ')})
       SELECT r->>0, true, ${values.join(', ')} FROM jsonb_array_elements(${jsonLiteral(rowsJson)}) r`,
  ];
}

function removeStaged(plan: TablePlan, index: number, where: string): string {
  const remove = `DELETE FROM ${stagingTable(index)} s WHERE ${where}`;
  if (plan.kind !== 'carry') return remove;
  const keys = keyCols(plan).join(', ');
  return `WITH gone AS (${remove} RETURNING ${keys}) INSERT INTO ${goneTable(index)} SELECT ${keys} FROM gone`;
}

/** Staged old rows whose ctid the live table no longer holds (updated or deleted since the first pass). */
export function dropGone(plan: TablePlan, index: number, ctidsJson: string): string {
  return removeStaged(
    plan,
    index,
    `NOT s._sy_recent AND NOT EXISTS (
    SELECT 1 FROM jsonb_array_elements_text(${jsonLiteral(ctidsJson)}) k(ctid) WHERE k.ctid = s._sy_ctid)`,
  );
}

/**
 * With a live primary key on the same columns, a staged old row whose key a recent row holds was updated
 * since the first pass: it goes, found through the key index rather than by the live table's every ctid.
 * Yields how many went.
 */
export function supersede(plan: CarryPlan, index: number): string {
  const s = stagingTable(index);
  const same = keyCols(plan)
    .map((c) => `o.${c} = n.${c}`)
    .join(' AND ');
  return `WITH gone AS (DELETE FROM ${s} o USING ${s} n WHERE n._sy_recent AND NOT o._sy_recent AND ${same} RETURNING 1)
    SELECT count(*) FROM gone`;
}

/** Whether the live table's primary key is the restored one's: then no two live rows share a key. */
export const liveKeyUnique = (plan: CarryPlan) =>
  plan.live.primaryKey.length === plan.key.length && plan.key.every((k) => plan.live.primaryKey.includes(k));

export const countOldStaged = (index: number) => `SELECT count(*) FROM ${stagingTable(index)} WHERE NOT _sy_recent`;

type CarryPlan = Extract<TablePlan, { kind: 'carry' }>;

/** Which staged rows a statement looks at: all of them (the first pass) or those written since it (in the fence). */
export type Scope = 'all' | 'recent';
const inScope = (scope: Scope, alias = '') => (scope === 'recent' ? ` AND ${alias}_sy_recent` : '');

const keyCols = (plan: CarryPlan) => plan.key.map((k) => col(plan, k));
/** The tables of a carry table's keys (staged column names): deleted since the dump, and removed from staging. */
export const deletedTable = (index: number) => `${quoteIdent(STAGING_SCHEMA)}.d${index}`;
export const goneTable = (index: number) => `${quoteIdent(STAGING_SCHEMA)}.g${index}`;

/**
 * The restored row `r` has the staged key of `alias`. Typed when the key's columns have the same type on both
 * sides, so that the restored primary key's index finds it (text read back as its own type always parses).
 */
function keyMatch(plan: CarryPlan, alias = 's'): string {
  const liveType = new Map(plan.live.columns.map((c) => [c.name, c.type]));
  const restoredType = new Map(plan.columns.map((c) => [c.name, c.type]));
  return plan.key
    .map((k) => {
      const type = restoredType.get(k);
      return type && liveType.get(k) === type
        ? `r.${quoteIdent(k)} = ${alias}.${col(plan, k)}::${type}`
        : `r.${quoteIdent(k)}::text = ${alias}.${col(plan, k)}`;
    })
    .join(' AND ');
}

/** Columns of the same type on both sides: a row whose values differ there was updated since the dump. */
function comparable(plan: CarryPlan): string[] {
  const liveType = new Map(plan.live.columns.map((c) => [c.name, c.type]));
  return plan.columns.filter((c) => liveType.get(c.name) === c.type && !plan.key.includes(c.name)).map((c) => c.name);
}

/** Marks each staged row in scope inserted (its key is not in the dump) or updated (same key, other values). */
export function classify(plan: CarryPlan, index: number, scope: Scope): string[] {
  const s = stagingTable(index);
  const same = comparable(plan);
  const differs = same.length
    ? `ROW(${same.map((c) => `r.${quoteIdent(c)}::text`).join(', ')}) IS DISTINCT FROM ROW(${same.map((c) => `s.${col(plan, c)}`).join(', ')})`
    : 'false';
  return [
    `UPDATE ${s} s SET _sy_kind = 'insert' WHERE NOT EXISTS (SELECT 1 FROM ${plan.table} r WHERE ${keyMatch(plan)})${inScope(scope, 's.')}`,
    `UPDATE ${s} s SET _sy_kind = 'update' FROM ${plan.table} r WHERE ${keyMatch(plan)} AND ${differs}${inScope(scope, 's.')}`,
  ];
}

/**
 * The first pass, after classify: the dump's keys that no staged row holds (deleted since the dump; they come
 * back), the empty gone table, and the indexes that let the fence reach the recent rows, the rows that differ
 * from the dump, the rows by key and the rows with values of live-only columns without reading the rest.
 */
export function prepareFence(plan: TablePlan, index: number): string[] {
  const s = stagingTable(index);
  const recent = `CREATE INDEX ON ${s} (_sy_ctid) WHERE _sy_recent`;
  if (plan.kind !== 'carry') return [recent, `ANALYZE ${s}`];
  const keys = keyCols(plan);
  const statements = [
    `CREATE UNLOGGED TABLE ${deletedTable(index)} AS SELECT ${plan.key
      .map((k) => `r.${quoteIdent(k)}::text AS ${col(plan, k)}`)
      .join(', ')} FROM ${plan.table} r WHERE NOT EXISTS (SELECT 1 FROM ${s} s WHERE ${keyMatch(plan)})`,
    `CREATE UNLOGGED TABLE ${goneTable(index)} AS SELECT * FROM ${deletedTable(index)} WITH NO DATA`,
    recent,
    `CREATE INDEX ON ${s} (_sy_ctid) WHERE _sy_kind IS NOT NULL`,
    `CREATE INDEX ON ${s} (${keys.join(', ')})`,
  ];
  const values = plan.liveOnly.map((c) => col(plan, c));
  if (values.length) statements.push(`CREATE INDEX ON ${s} (_sy_ctid) WHERE ${liveOnlyValues(values)}`);
  return [...statements, `ANALYZE ${s}`];
}

/** Some live-only column of the row holds a value (the index of prepareFence matches this text). */
export const liveOnlyValues = (values: string[]) => `(${values.map((v) => `${v} IS NOT NULL`).join(' OR ')})`;

/**
 * In the fence, after the catch-up: the keys of removed staged rows that the dump holds and no staged row
 * does join the deleted keys, and keys a recent row holds leave them.
 */
export function settleDeleted(plan: CarryPlan, index: number): string[] {
  const [d, g, s] = [deletedTable(index), goneTable(index), stagingTable(index)];
  const keys = keyCols(plan);
  const same = (a: string, b: string) => keys.map((c) => `${a}.${c} = ${b}.${c}`).join(' AND ');
  return [
    `INSERT INTO ${d} SELECT DISTINCT ${keys.map((c) => `g.${c}`).join(', ')} FROM ${g} g
       WHERE EXISTS (SELECT 1 FROM ${plan.table} r WHERE ${keyMatch(plan, 'g')})
         AND NOT EXISTS (SELECT 1 FROM ${s} s WHERE ${same('s', 'g')})
         AND NOT EXISTS (SELECT 1 FROM ${d} d WHERE ${same('d', 'g')})`,
    `DELETE FROM ${d} d USING ${s} s WHERE s._sy_recent AND ${same('d', 's')}`,
  ];
}

/** The dump's rows whose key the live table no longer holds: their keys (the restored copy has them back). */
export const deletedKeys = (plan: CarryPlan, index: number) =>
  `SELECT ${keyCols(plan).join(', ')} FROM ${deletedTable(index)}`;

/** Columns whose type changed: a value that does not read back the same as the restored type does not fit. */
export function markUnfit(plan: CarryPlan, index: number, scope: Scope): string[] {
  const liveType = new Map(plan.live.columns.map((c) => [c.name, c.type]));
  const s = stagingTable(index);
  const marks: string[] = [];
  if (plan.blocked)
    marks.push(
      `UPDATE ${s} SET _sy_reason = ${quoteLiteral(plan.blocked)} WHERE _sy_kind = 'insert' AND _sy_reason IS NULL${inScope(scope)}`,
    );
  for (const c of plan.columns.filter((c) => liveType.get(c.name) !== c.type)) {
    const why = `value of column ${c.name} does not fit its restored type ${c.type}`;
    marks.push(
      `UPDATE ${s} SET _sy_reason = ${quoteLiteral(why)} WHERE _sy_kind = 'insert' AND _sy_reason IS NULL${inScope(scope)}
         AND ${col(plan, c.name)} IS NOT NULL AND NOT ${quoteIdent(STAGING_SCHEMA)}.reads_back(${col(plan, c.name)}, ${quoteLiteral(c.type)})`,
    );
  }
  return marks;
}

/** Installed once in the staging schema: whether `v` read as type `t` gives `v` back (no error, no rounding). */
export const READS_BACK = `CREATE FUNCTION ${quoteIdent(STAGING_SCHEMA)}.reads_back(v text, t text) RETURNS boolean
  LANGUAGE plpgsql AS $f$
  DECLARE back text;
  BEGIN
    EXECUTE format('SELECT ($1::%s)::text', t) INTO back USING v;
    RETURN back = v;
  EXCEPTION WHEN others THEN RETURN false;
  END $f$`;

function insertInto(plan: CarryPlan, index: number, where: string): string {
  const names = plan.columns.map((c) => quoteIdent(c.name)).join(', ');
  const values = plan.columns.map((c) => `s.${col(plan, c.name)}::${c.type}`).join(', ');
  return `INSERT INTO ${plan.table} (${names})${plan.overriding ? ' OVERRIDING SYSTEM VALUE' : ''}
    SELECT ${values} FROM ${stagingTable(index)} s WHERE ${where}`;
}

const CARRIABLE = `s._sy_kind = 'insert' AND s._sy_reason IS NULL`;

/** All the table's carriable rows in one statement: the fast way when none conflicts. */
export const carryAll = (plan: CarryPlan, index: number) => insertInto(plan, index, CARRIABLE);

/**
 * Row by row, each in its own subtransaction: a row that breaks a constraint is marked with why
 * (the constraint's name, never the row's values) and the others go in. Used when carryAll failed.
 */
export function carryEach(plan: CarryPlan, index: number): string {
  const one = insertInto(plan, index, `s._sy_ctid = $1 AND ${CARRIABLE}`).replace(/'/g, "''");
  return `DO $do$
  DECLARE r record; cn text; BEGIN
    FOR r IN SELECT s._sy_ctid FROM ${stagingTable(index)} s WHERE ${CARRIABLE} LOOP
      BEGIN
        EXECUTE '${one}' USING r._sy_ctid;
      EXCEPTION WHEN others THEN
        GET STACKED DIAGNOSTICS cn = CONSTRAINT_NAME;
        UPDATE ${stagingTable(index)} SET _sy_reason = CASE SQLSTATE
            WHEN '23505' THEN 'unique conflict on ' || cn
            WHEN '23503' THEN 'foreign key ' || cn
            WHEN '23514' THEN 'check constraint ' || cn
            WHEN '23502' THEN 'a NULL in a NOT NULL column'
            ELSE 'rejected (SQLSTATE ' || SQLSTATE || ')' END
          WHERE _sy_ctid = r._sy_ctid AND _sy_kind = 'insert';
      END;
    END LOOP;
  END $do$`;
}

/** Per table: carried, left over by reason, updated. */
export function tally(index: number): string {
  return `SELECT jsonb_build_object(
    'carried', count(*) FILTER (WHERE _sy_kind = 'insert' AND _sy_reason IS NULL),
    'updated', count(*) FILTER (WHERE _sy_kind = 'update'),
    'reasons', COALESCE((SELECT jsonb_object_agg(_sy_reason, n) FROM (SELECT _sy_reason, count(*) AS n
       FROM ${stagingTable(index)} WHERE _sy_kind = 'insert' AND _sy_reason IS NOT NULL GROUP BY _sy_reason) x), '{}'::jsonb)
  )::text FROM ${stagingTable(index)} WHERE _sy_kind IS NOT NULL`;
}

/**
 * Sequences of the restored copy moved past what the live database had handed out and past every
 * key now in their column, so no carried or left-over key is handed out again. `liveJson`: name → last_value.
 */
export function advanceSequences(liveJson: string): string {
  return `DO $do$
  DECLARE q record; top bigint; live jsonb := ${jsonLiteral(liveJson)};
  BEGIN
    FOR q IN SELECT s.oid::regclass AS seq, format('%I.%I', sn.nspname, s.relname) AS name,
                    d.refobjid::regclass AS tab, a.attname AS col
               FROM pg_class s JOIN pg_namespace sn ON sn.oid = s.relnamespace
               JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass
                AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
               JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
              WHERE s.relkind = 'S' AND sn.nspname <> '${STAGING_SCHEMA}' LOOP
      EXECUTE format('SELECT max(%I)::bigint FROM %s', q.col, q.tab) INTO top;
      top := GREATEST(top, (live->>q.name)::bigint, (SELECT last_value FROM pg_sequences
                 WHERE format('%I.%I', schemaname, sequencename) = q.name));
      IF top IS NOT NULL THEN PERFORM setval(q.seq, top, true); END IF;
    END LOOP;
  END $do$`;
}

export const LIVE_SEQUENCES = `SELECT COALESCE(jsonb_object_agg(format('%I.%I', schemaname, sequencename), last_value)
  FILTER (WHERE last_value IS NOT NULL), '{}'::jsonb)::text FROM pg_sequences`;
