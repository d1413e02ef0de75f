import { createHash } from 'node:crypto';
import type { RowCounts } from '../store/index.js';
import type { SqlSession } from './target.js';

export interface DatabaseFacts {
  serverVersion: string;
  rowCounts: RowCounts;
  /** sha256 over tables, columns, types, defaults, constraints and indexes. */
  schemaFingerprint: string;
}

// Exact counts of every user table in one statement: query_to_xml runs a
// count(*) per table inside this same transaction (and so the same snapshot).
const ROW_COUNTS = `
  SELECT format('%I.%I', n.nspname, c.relname) AS name,
         (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint AS n
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
     AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;

// One line per schema object, independent of OIDs, so a restored copy yields the same text.
const SCHEMA_LINES = `
  SELECT 'table ' || format('%I.%I', n.nspname, c.relname) || ' ' || c.relkind::text
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
  UNION ALL
  SELECT 'column ' || format('%I.%I.%I', n.nspname, c.relname, a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
         || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
         || COALESCE(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm')
     AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
  UNION ALL
  SELECT 'constraint ' || format('%I.%I.%I', n.nspname, c.relname, k.conname) || ' ' || pg_get_constraintdef(k.oid)
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
  UNION ALL
  SELECT 'index ' || pg_get_indexdef(i.indexrelid)
    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`;

const FACTS = `
  SELECT json_build_object(
    'serverVersion', current_setting('server_version'),
    'rowCounts', COALESCE((SELECT json_object_agg(name, n ORDER BY name) FROM (${ROW_COUNTS}) counts), '{}'::json),
    'schemaLines', COALESCE((SELECT json_agg(line ORDER BY line) FROM (${SCHEMA_LINES}) AS lines(line)), '[]'::json)
  )::text`.replace(/\s+/g, ' ');

/**
 * Row counts and schema fingerprint as the session sees the database. A fixed
 * search_path keeps pg_get_*def output identical between the original and a restore.
 */
export async function inspectDatabase(session: SqlSession): Promise<DatabaseFacts> {
  await session.query('SET search_path = pg_catalog');
  const raw = JSON.parse(await session.query(FACTS)) as {
    serverVersion: string;
    rowCounts: RowCounts;
    schemaLines: string[];
  };
  return {
    serverVersion: raw.serverVersion,
    rowCounts: Object.fromEntries(Object.entries(raw.rowCounts).map(([k, v]) => [k, Number(v)])),
    schemaFingerprint: createHash('sha256').update(raw.schemaLines.join('\n')).digest('hex'),
  };
}

/** What differs between recorded facts and a restored copy, one line per problem. */
export function compareFacts(
  expected: Pick<DatabaseFacts, 'rowCounts' | 'schemaFingerprint'>,
  actual: DatabaseFacts,
): string[] {
  const issues: string[] = [];
  if (expected.schemaFingerprint !== actual.schemaFingerprint) {
    issues.push(
      `schema fingerprint differs (recorded ${expected.schemaFingerprint.slice(0, 12)}, restored ${actual.schemaFingerprint.slice(0, 12)})`,
    );
  }
  const tables = new Set([...Object.keys(expected.rowCounts), ...Object.keys(actual.rowCounts)]);
  for (const table of [...tables].sort()) {
    const want = expected.rowCounts[table];
    const got = actual.rowCounts[table];
    if (want !== got) issues.push(`table ${table}: recorded ${want ?? 'absent'} rows, restored ${got ?? 'absent'}`);
  }
  return issues;
}

/** The server's major version (15 for 15.18), as the session's server reports it. */
export async function serverMajor(session: SqlSession): Promise<number> {
  return Math.floor(Number(await session.query('SHOW server_version_num')) / 10000);
}
