import { failed } from '../errors.js';

const NEWLINE = 0x0a;
const COPY_LINE = Buffer.from('\nCOPY ');
/** Its end: a quoted name in it may hold a newline, so the line's own end is not the statement's. */
const FROM_STDIN = Buffer.from(' FROM stdin;\n');
/** `\.` alone on a line: the end of a COPY's rows. A row is never that: a field's backslash is written `\\`. */
const END_OF_ROWS = Buffer.from('\n\\.\n');
const END_OF_ROWS_FIRST = Buffer.from('\\.\n');
const EMPTY = Buffer.alloc(0);
/** Far above any real preamble (a few settings and one COPY statement's column list). */
const MAX_PREAMBLE_BYTES = 16 << 20;

/**
 * Reads, as it streams, the SQL script `pg_restore --file=-` writes for one table's data entry: a
 * preamble (pg_restore's own session settings, then `COPY … FROM stdin;`), the table's rows one per
 * line, `\.`, and a trailer. Pure, fed piece by piece.
 *
 * It hands the rows on in whole lines, as long as they come, so that any run of them is a valid
 * COPY input of its own: splitTable.ts deals them out over several sessions, each fed the preamble,
 * its rows and `\.`. In COPY's text format a newline inside a field is written `\n`, so every
 * newline byte ends a row.
 */
export class CopyScript {
  /** Everything up to and including the COPY line, once read: each session runs it first. */
  preamble: Buffer | null = null;
  /** The start of a line that the next piece ends: a copy, so that no piece is kept past its own turn. */
  private pending: Buffer = EMPTY;
  private ended = false;

  /**
   * The whole rows that `piece` completes (maybe none), nothing once `\.` has been read: at most two
   * runs of whole lines, the first of them the one line that began in an earlier piece (a copy), the
   * other a view of `piece` itself. Nothing else of `piece` is kept: it may be refilled (readInPieces.ts)
   * once what was handed back is written.
   */
  rows(piece: Buffer): Buffer[] {
    if (this.ended) return [];
    if (!this.preamble) {
      const bytes = this.pending.length > 0 ? Buffer.concat([this.pending, piece]) : piece;
      const copyAt = bytes.indexOf(COPY_LINE);
      const fromAt = copyAt < 0 ? -1 : bytes.indexOf(FROM_STDIN, copyAt);
      if (fromAt < 0) {
        if (bytes.length > MAX_PREAMBLE_BYTES) throw notOneCopy('no COPY … FROM stdin in its first 16 MB');
        this.pending = Buffer.from(bytes);
        return [];
      }
      this.preamble = Buffer.from(bytes.subarray(0, fromAt + FROM_STDIN.length));
      this.pending = EMPTY;
      return this.wholeLines(bytes.subarray(fromAt + FROM_STDIN.length));
    }
    return this.wholeLines(piece);
  }

  /** Throws unless the rows ended with `\.`: the script was cut short. */
  finish(): void {
    if (!this.preamble) throw notOneCopy('it ended before any COPY statement');
    if (!this.ended) throw notOneCopy('it ended before the end of the rows (\\.)');
  }

  /** `bytes` follows `pending`, which starts at a line's start. */
  private wholeLines(bytes: Buffer): Buffer[] {
    const lastNewline = bytes.lastIndexOf(NEWLINE);
    if (lastNewline < 0) {
      this.pending = Buffer.concat([this.pending, bytes]); // a row longer than a piece: rare
      return [];
    }
    const runs: Buffer[] = [];
    let body = bytes.subarray(0, lastNewline + 1);
    if (this.pending.length > 0) {
      const firstNewline = body.indexOf(NEWLINE);
      runs.push(Buffer.concat([this.pending, body.subarray(0, firstNewline + 1)]));
      body = body.subarray(firstNewline + 1);
    }
    if (body.length > 0) runs.push(body);
    this.pending = Buffer.from(bytes.subarray(lastNewline + 1));
    // Each run starts at a line's start, so the `\.` line is found wherever it falls.
    for (const [i, run] of runs.entries()) {
      const end = endOfRows(run);
      if (end < 0) continue;
      this.ended = true;
      this.pending = EMPTY;
      return [...runs.slice(0, i), run.subarray(0, end)].filter((r) => r.length > 0);
    }
    return runs;
  }
}

/** Where the `\.` line starts in whole `lines`, or -1. */
function endOfRows(lines: Buffer): number {
  if (lines.subarray(0, END_OF_ROWS_FIRST.length).equals(END_OF_ROWS_FIRST)) return 0;
  const at = lines.indexOf(END_OF_ROWS);
  return at < 0 ? -1 : at + 1;
}

const notOneCopy = (why: string) =>
  failed(`restore failed: pg_restore's script of a table's data is not one COPY: ${why}`);
