import type { SqlSession } from '../database/index.js';

/** The schema that holds the carry-over's working tables inside the restored copy (never in the live database). */
export const STAGING_SCHEMA = '_sy_carry';

export interface CatalogColumn {
  name: string;
  /** format_type's spelling, e.g. "character varying(40)". */
  type: string;
  notNull: boolean;
  hasDefault: boolean;
  /** A stored generated column: computed by the server, never inserted. */
  generated: boolean;
  /** '' (none), 'a' (GENERATED ALWAYS AS IDENTITY) or 'd' (BY DEFAULT). */
  identity: '' | 'a' | 'd';
}

export interface CatalogTable {
  /** schema.table, each part quoted as format('%I.%I') does: also the SQL name. */
  name: string;
  columns: CatalogColumn[];
  /** The primary key's columns in key order; empty when the table has none. */
  primaryKey: string[];
  /** The tables its foreign keys reference (itself included when it references itself). */
  references: string[];
}

export type Catalog = CatalogTable[];

// Ordinary and partitioned tables (a partition's rows are read through its parent) outside the system schemas.
const CATALOG = `
  SELECT COALESCE(jsonb_agg(t ORDER BY t.name), '[]'::jsonb)::text FROM (
    SELECT format('%I.%I', n.nspname, c.relname) AS name,
      (SELECT COALESCE(jsonb_agg(jsonb_build_object(
                 'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'notNull', a.attnotnull,
                 'hasDefault', a.atthasdef, 'generated', a.attgenerated <> '', 'identity', a.attidentity::text)
               ORDER BY a.attnum), '[]'::jsonb)
         FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
      (SELECT COALESCE(jsonb_agg(a.attname ORDER BY array_position(i.indkey::int2[], a.attnum)), '[]'::jsonb)
         FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
        WHERE i.indrelid = c.oid AND i.indisprimary) AS "primaryKey",
      (SELECT COALESCE(jsonb_agg(DISTINCT format('%I.%I', rn.nspname, rc.relname)), '[]'::jsonb)
         FROM pg_constraint k JOIN pg_class rc ON rc.oid = k.confrelid JOIN pg_namespace rn ON rn.oid = rc.relnamespace
        WHERE k.conrelid = c.oid AND k.contype = 'f') AS "references"
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
       AND n.nspname NOT IN ('pg_catalog', 'information_schema', '${STAGING_SCHEMA}')
       AND n.nspname NOT LIKE 'pg\\_%'
  ) t`;

/** Tables, columns, keys and foreign keys of the database `session` is connected to. */
export async function readCatalog(session: SqlSession): Promise<Catalog> {
  return JSON.parse(await session.query(CATALOG)) as Catalog;
}

/** Per table (schema.table, as row counts name it), its column names in order: what a backup records of its schema. */
export type TableColumns = Record<string, string[]>;

export const columnNames = (catalog: Catalog): TableColumns =>
  Object.fromEntries(catalog.map((t) => [t.name, t.columns.map((c) => c.name)]));

/** The column names of every table of the database `session` is connected to. */
export const readColumns = async (session: SqlSession): Promise<TableColumns> =>
  columnNames(await readCatalog(session));
