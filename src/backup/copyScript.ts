import { failed } from '../errors.js';

const NEWLINE = 0x0a;
const COPY_LINE = Buffer.from('\nCOPY ');
/** Its end: a quoted name in it may hold a newline, so the line's own end is not the statement's. */
const FROM_STDIN = Buffer.from(' FROM stdin;\n');
/** `\.` alone on a line: the end of a COPY's rows. A row is never that: a field's backslash is written `\\`. */
const END_OF_ROWS = Buffer.from('\n\\.\n');
const END_OF_ROWS_FIRST = Buffer.from('\\.\n');
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
  private pending: Buffer = Buffer.alloc(0);
  private ended = false;

  /** The whole rows that `piece` completes (maybe none); nothing once `\.` has been read. */
  rows(piece: Buffer): Buffer {
    if (this.ended) return EMPTY;
    let bytes = this.pending.length > 0 ? Buffer.concat([this.pending, piece]) : piece;
    if (!this.preamble) {
      const copyAt = bytes.indexOf(COPY_LINE);
      const fromAt = copyAt < 0 ? -1 : bytes.indexOf(FROM_STDIN, copyAt);
      if (fromAt < 0) {
        if (bytes.length > MAX_PREAMBLE_BYTES) throw notOneCopy('no COPY … FROM stdin in its first 16 MB');
        this.pending = bytes;
        return EMPTY;
      }
      this.preamble = bytes.subarray(0, fromAt + FROM_STDIN.length);
      bytes = bytes.subarray(fromAt + FROM_STDIN.length);
    }
    // `pending` starts at a line's start, so `lines` does too.
    const lastNewline = bytes.lastIndexOf(NEWLINE);
    const lines = bytes.subarray(0, lastNewline + 1);
    this.pending = bytes.subarray(lastNewline + 1);
    const end = endOfRows(lines);
    if (end < 0) return lines;
    this.ended = true;
    this.pending = EMPTY;
    return lines.subarray(0, end);
  }

  /** Throws unless the rows ended with `\.`: the script was cut short. */
  finish(): void {
    if (!this.preamble) throw notOneCopy('it ended before any COPY statement');
    if (!this.ended) throw notOneCopy('it ended before the end of the rows (\\.)');
  }
}

const EMPTY = Buffer.alloc(0);

/** Where the `\.` line starts in whole `lines`, or -1. */
function endOfRows(lines: Buffer): number {
  if (lines.subarray(0, END_OF_ROWS_FIRST.length).equals(END_OF_ROWS_FIRST)) return 0;
  const at = lines.indexOf(END_OF_ROWS);
  return at < 0 ? -1 : at + 1;
}

const notOneCopy = (why: string) =>
  failed(`restore failed: pg_restore's script of a table's data is not one COPY: ${why}`);
