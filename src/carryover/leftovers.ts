import fs from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir } from '../util/fsutil.js';
import type { DatabaseTarget } from '../database/index.js';
import { quoteIdent } from '../database/index.js';
import { copyToFile } from './copy.js';
import type { TableCarryReport } from './run.js';

/** Rows of one kind from one table, as `query` (run on the restored copy) yields them, every value as text. */
export interface LeftoverSection {
  table: string;
  what: string;
  columns: string[];
  rows: number;
  query: string;
}

export const LEFTOVERS_SCHEMA = 'switchyard_leftovers';

/**
 * The leftovers file: plain SQL, readable as text and loadable with `psql -f` into any scratch database,
 * where each section becomes a table of text columns in schema switchyard_leftovers. Its head is the
 * per-table report. Written to a temp file, synced and renamed, so it exists whole or not at all.
 */
export async function writeLeftovers(
  target: DatabaseTarget,
  database: string,
  file: string,
  title: string,
  tables: TableCarryReport[],
  sections: LeftoverSection[],
): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.partial`);
  const out = await fs.open(temp, 'w', 0o600);
  try {
    const head = [
      `-- ${title}`,
      '-- What the live database held that the restored one does not. Load into a scratch database with',
      `--   psql -d scratch -f ${path.basename(file)}   (each section becomes a table in schema ${LEFTOVERS_SCHEMA})`,
      '--',
      ...tables.map(
        (t) =>
          `-- ${t.table}: carried ${t.carried}, left over ${t.leftover}, updated ${t.updated}, deleted ${t.deleted}` +
          (t.reasons.length ? `\n--   ${t.reasons.join('\n--   ')}` : ''),
      ),
      '',
      `CREATE SCHEMA IF NOT EXISTS ${LEFTOVERS_SCHEMA};`,
      '',
    ];
    await out.write(`${head.join('\n')}\n`);
    for (const [n, section] of sections.filter((s) => s.rows > 0).entries()) {
      const name = `${LEFTOVERS_SCHEMA}.s${n + 1}`;
      const columns = section.columns.map((c) => `${quoteIdent(c)} text`).join(', ');
      await out.write(
        `-- ${section.table}: ${section.what} (${section.rows} rows)\n` +
          `CREATE TABLE ${name} (${columns});\n` +
          `COMMENT ON TABLE ${name} IS '${`${section.table}: ${section.what}`.replace(/'/g, "''")}';\n` +
          `COPY ${name} FROM stdin;\n`,
      );
      await copyToFile(target, database, `COPY (${section.query}) TO STDOUT`, out);
      await out.write('\\.\n\n');
    }
    await out.sync();
  } catch (e) {
    await out.close();
    await fs.rm(temp, { force: true });
    throw e;
  }
  await out.close();
  await fs.rename(temp, file);
  await fsyncDir(path.dirname(file));
}
