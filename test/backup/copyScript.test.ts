import { describe, expect, it } from 'vitest';
import { CopyScript } from '../../src/backup/copyScript.js';

/** The shape `pg_restore --file=-` writes for one table's data entry (PostgreSQL 15.18). */
const PREAMBLE = [
  '--',
  '-- PostgreSQL database dump',
  '--',
  '',
  '\\restrict abc123',
  '',
  'SET statement_timeout = 0;',
  "SET client_encoding = 'UTF8';",
  "SELECT pg_catalog.set_config('search_path', '', false);",
  'SET row_security = off;',
  '',
  '--',
  '-- Data for Name: requests; Type: TABLE DATA; Schema: public; Owner: postgres',
  '--',
  '',
  'COPY public.requests (id, body) FROM stdin;',
  '',
].join('\n');
/** Rows a naive reader would take for the end or split wrongly: an escaped `\.`, escaped newlines, tabs. */
const ROWS = [
  '1\t\\\\.',
  '2\ta\\nb',
  '3\t\\N',
  '4\t',
  '5\t\\.x',
  ...Array.from({ length: 200 }, (_, i) => `${6 + i}\tr${i}`),
]
  .map((row) => `${row}\n`)
  .join('');
const TRAILER = '\\.\n\n\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict abc123\n\n';
const SCRIPT = Buffer.from(PREAMBLE + ROWS + TRAILER);

/**
 * Feeds `script` in pieces cut at `cuts`, each piece in one buffer that is refilled for the next, as
 * readInPieces.ts refills its pieces: the reader must keep nothing of a piece past its turn. Checks
 * that each run handed back is whole lines, and at most two per piece.
 */
function read(script: Buffer, cuts: number[]) {
  const reader = new CopyScript();
  const rows: Buffer[] = [];
  const refilled = Buffer.alloc(script.length);
  let from = 0;
  for (const to of [...cuts, script.length]) {
    refilled.fill('X');
    const piece = refilled.subarray(0, to - from);
    script.copy(piece, 0, from, to);
    const runs = reader.rows(piece);
    expect(runs.length).toBeLessThanOrEqual(2);
    for (const run of runs) {
      expect(run.length).toBeGreaterThan(0);
      expect(run[run.length - 1]).toBe(0x0a);
      rows.push(Buffer.from(run)); // written before the piece is refilled
    }
    from = to;
  }
  return { reader, rows: Buffer.concat(rows).toString() };
}

describe('reading pg_restore’s script of one table’s data', () => {
  it('gives the preamble, then every row in whole lines, and nothing from `\\.` on, however the script is cut', () => {
    for (let cut = 1; cut < SCRIPT.length; cut += 7) {
      const { reader, rows } = read(SCRIPT, [cut]);
      expect(reader.preamble?.toString(), `cut at ${cut}`).toBe(PREAMBLE);
      expect(rows, `cut at ${cut}`).toBe(ROWS);
      expect(() => reader.finish()).not.toThrow();
    }
    const bytes = read(
      SCRIPT,
      Array.from({ length: SCRIPT.length - 1 }, (_, i) => i + 1),
    );
    expect(bytes.rows).toBe(ROWS);
  });

  it('takes a COPY statement whose quoted table name holds a newline whole into the preamble', () => {
    const preamble = 'SET row_security = off;\n\nCOPY public."odd\nname" (v) FROM stdin;\n';
    const { reader, rows } = read(Buffer.from(`${preamble}a\nb\n\\.\n`), [30]);
    expect(reader.preamble?.toString()).toBe(preamble);
    expect(rows).toBe('a\nb\n');
  });

  it('reads a table without rows', () => {
    const { reader, rows } = read(Buffer.from(`${PREAMBLE}\\.\n\n`), []);
    expect(rows).toBe('');
    expect(() => reader.finish()).not.toThrow();
  });

  it('fails a script cut short, or one without a COPY, naming what is missing', () => {
    expect(() => read(SCRIPT.subarray(0, PREAMBLE.length + 30), []).reader.finish()).toThrow(
      "restore failed: pg_restore's script of a table's data is not one COPY: it ended before the end of the rows (\\.)",
    );
    expect(() => read(Buffer.from('SET x = 1;\n'), []).reader.finish()).toThrow(/ended before any COPY statement/);
  });
});
