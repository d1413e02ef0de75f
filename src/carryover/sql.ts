import { quoteIdent } from '../database/index.js';
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
 * committed after a pass began. 32-bit xids compare modulo 2^32, as the server does; frozen rows are old.
 */
export function writtenSince(since: bigint): string {
  const low = since % 4294967296n;
  return `(xmin::text::bigint >= 3 AND ((xmin::text::bigint - ${low} + 4294967296) % 4294967296) < 2147483648)`;
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

/** Staged rows that were written since the first pass are replaced by what the second pass read. */
export function replaceRecent(plan: TablePlan, index: number, rowsJson: string): string[] {
  const cols = liveCols(plan);
  const values = cols.map((_, i) => `r->>${i + 1}`);
  return [
    `DELETE FROM ${stagingTable(index)} WHERE _sy_recent`,
    `INSERT INTO ${stagingTable(index)} (_sy_ctid, _sy_recent, ${cols.join(', ')})
       SELECT r->>0, true, ${values.join(', ')} FROM jsonb_array_elements(${jsonLiteral(rowsJson)}) r`,
  ];
}

/** Staged old rows whose ctid the live table no longer holds (updated or deleted since the first pass). */
export function dropGone(index: number, ctidsJson: string): string {
  return `DELETE FROM ${stagingTable(index)} s WHERE NOT s._sy_recent AND NOT EXISTS (
    SELECT 1 FROM jsonb_array_elements_text(${jsonLiteral(ctidsJson)}) k(ctid) WHERE k.ctid = s._sy_ctid)`;
}

export const countOldStaged = (index: number) => `SELECT count(*) FROM ${stagingTable(index)} WHERE NOT _sy_recent`;

type CarryPlan = Extract<TablePlan, { kind: 'carry' }>;

const keyMatch = (plan: CarryPlan) => plan.key.map((k) => `r.${quoteIdent(k)}::text = s.${col(plan, k)}`).join(' AND ');

/** Columns of the same type on both sides: a row whose values differ there was updated since the dump. */
function comparable(plan: CarryPlan): string[] {
  const liveType = new Map(plan.live.columns.map((c) => [c.name, c.type]));
  return plan.columns.filter((c) => liveType.get(c.name) === c.type && !plan.key.includes(c.name)).map((c) => c.name);
}

/** Marks each staged row inserted (its key is not in the dump) or updated (same key, other values). */
export function classify(plan: CarryPlan, index: number): string[] {
  const s = stagingTable(index);
  const same = comparable(plan);
  const differs = same.length
    ? `ROW(${same.map((c) => `r.${quoteIdent(c)}::text`).join(', ')}) IS DISTINCT FROM ROW(${same.map((c) => `s.${col(plan, c)}`).join(', ')})`
    : 'false';
  return [
    `UPDATE ${s} s SET _sy_kind = 'insert' WHERE NOT EXISTS (SELECT 1 FROM ${plan.table} r WHERE ${keyMatch(plan)})`,
    `UPDATE ${s} s SET _sy_kind = 'update' FROM ${plan.table} r WHERE ${keyMatch(plan)} AND ${differs}`,
  ];
}

/** The dump's rows whose key the live table no longer holds: deleted since the dump (they come back). */
export function deletedRows(plan: CarryPlan, index: number, select: string): string {
  return `SELECT ${select} FROM ${plan.table} r WHERE NOT EXISTS (SELECT 1 FROM ${stagingTable(index)} s WHERE ${keyMatch(plan)})`;
}

export const deletedKeys = (plan: CarryPlan) => plan.key.map((k) => `r.${quoteIdent(k)}::text`).join(', ');

/** Columns whose type changed: a value that does not read back the same as the restored type does not fit. */
export function markUnfit(plan: CarryPlan, index: number): string[] {
  const liveType = new Map(plan.live.columns.map((c) => [c.name, c.type]));
  const s = stagingTable(index);
  const marks: string[] = [];
  if (plan.blocked)
    marks.push(
      `UPDATE ${s} SET _sy_reason = ${literal(plan.blocked)} WHERE _sy_kind = 'insert' AND _sy_reason IS NULL`,
    );
  for (const c of plan.columns.filter((c) => liveType.get(c.name) !== c.type)) {
    const why = `value of column ${c.name} does not fit its restored type ${c.type}`;
    marks.push(
      `UPDATE ${s} SET _sy_reason = ${literal(why)} WHERE _sy_kind = 'insert' AND _sy_reason IS NULL
         AND ${col(plan, c.name)} IS NOT NULL AND NOT ${quoteIdent(STAGING_SCHEMA)}.reads_back(${col(plan, c.name)}, ${literal(c.type)})`,
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
  const one = insertInto(plan, index, 's._sy_ctid = $1').replace(/'/g, "''");
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
          WHERE _sy_ctid = r._sy_ctid;
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
  )::text FROM ${stagingTable(index)}`;
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

export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
