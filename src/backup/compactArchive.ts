import { Transform, type TransformCallback } from 'node:stream';

/**
 * Rewrites an uncompressed (`--compress=0`) custom-format pg_dump archive, as it
 * streams, so that each table's data is a few large chunks instead of one chunk
 * per row. The bytes pg_restore reads are the same; only their framing changes.
 *
 * Why: without compression pg_dump frames every COPY row as its own chunk, a
 * 5-byte length before each row. Those lengths sit in the middle of the text and
 * cost zstd about 3% of the file (the bench database: 120.1 MB at level 3, 116.6 MB
 * compacted, against 119.3 MB for pg_dump's own gzip). Every reader also pays per
 * chunk: the read-back walks millions of them, and `pg_restore -j`, which must
 * skip over other tables' data in a streamed archive (it has no offsets), seeks
 * over each one.
 *
 * The layout it relies on (pg_backup_archiver.c, pg_backup_custom.c): a header,
 * the table of contents, then blocks, each a type byte (1 data, 3 large objects)
 * and a dump id, then chunks framed by an int length, a 0 length ending the block.
 * An int is a sign byte and `intSize` little-endian bytes.
 *
 * It never makes a valid archive invalid: an archive it does not fully know (a
 * newer version, another int size, offsets already filled in) or a block type it
 * has not met passes through untouched from there on, and a stream cut short (pg_dump
 * failed) is passed on as it came, for pg_dump's exit code and pg_restore to judge.
 * It rewrites the chunks it is handed in place, so its input must be its own (a
 * child's stdout).
 */
export function compactArchive(): ArchiveCompactor {
  return new ArchiveCompactor();
}

/** pg_backup.h's teSection. */
export enum Section {
  None = 1,
  PreData = 2,
  Data = 3,
  PostData = 4,
}

/** One entry of the table of contents, as much of it as switchyard needs. */
export interface TocEntry {
  dumpId: number;
  /** What it is, as `pg_restore --list` names it: `TABLE DATA`, `SEQUENCE SET`, `BLOBS`… */
  kind: string;
  section: Section;
  /** It has a data block (table data, large objects). */
  hasData: boolean;
}

/** The entries whose data block is a table's rows, read by a COPY: the ones a restore may split (restorePlan.ts). */
export const TABLE_DATA = 'TABLE DATA';

/** What parseArchiveHead found at the start of a stream. */
export type ArchiveHead =
  | { kind: 'incomplete' }
  /** Data blocks start at `dataStart`: the bytes before it are a whole archive without data. */
  | { kind: 'compactable'; dataStart: number; entries: TocEntry[] }
  /** Pass the stream through as it is. */
  | { kind: 'leave'; why: string };

/** The archive versions whose table of contents this reader knows: 1.12 (PostgreSQL 9.5) to 1.16 (17). */
const OLDEST = version(1, 12);
const NEWEST = version(1, 16);
const INT_SIZE = 4;
const OFFSET_SIZE = 8;
const INT_BYTES = 1 + INT_SIZE;
const FORMAT_CUSTOM = 1;
const OFFSET_POS_SET = 2;
const BLOCK_DATA = 1;
const BLOCK_LARGE_OBJECTS = 3;

function version(major: number, minor: number): number {
  return (major << 16) | (minor << 8);
}

/**
 * Reads the header and the table of contents (pure). `incomplete` until `bytes`
 * holds all of them; the table of contents is small (a few hundred bytes per
 * object), so the caller simply tries again with more.
 */
export function parseArchiveHead(bytes: Buffer): ArchiveHead {
  const reader = new HeadReader(bytes);
  try {
    if (reader.latin1(5) !== 'PGDMP') return { kind: 'leave', why: 'not a custom-format archive' };
    const archiveVersion = (reader.byte() << 16) | (reader.byte() << 8) | reader.byte();
    if (archiveVersion < OLDEST || archiveVersion >= NEWEST + (1 << 8))
      return { kind: 'leave', why: `archive version ${archiveVersion >> 16}.${(archiveVersion >> 8) & 0xff}` };
    const sizes = [reader.byte(), reader.byte()];
    if (sizes[0] !== INT_SIZE || sizes[1] !== OFFSET_SIZE)
      return { kind: 'leave', why: `int sizes ${sizes.join('/')}` };
    if (reader.byte() !== FORMAT_CUSTOM) return { kind: 'leave', why: 'not the custom format' };
    const since = (major: number, minor: number) => archiveVersion >= version(major, minor);
    if (since(1, 15)) reader.byte();
    else reader.int(); // compression: an algorithm byte, before that a zlib level
    for (let i = 0; i < 7; i++) reader.int(); // creation time
    reader.skipStrings(3); // database name, server version, pg_dump version
    const count = reader.int();
    const entries: TocEntry[] = [];
    for (let i = 0; i < count; i++) {
      const dumpId = reader.int();
      const hasData = reader.int() !== 0; // had a data dumper
      reader.skipStrings(3); // table oid, oid, tag
      const kind = reader.text() ?? '';
      entries.push({ dumpId, kind, hasData, section: reader.int() });
      reader.skipStrings(5); // definition, drop statement, COPY statement, namespace, tablespace
      if (since(1, 14)) reader.skipStrings(1); // table access method
      if (since(1, 16)) reader.int(); // relkind
      reader.skipStrings(2); // owner, "with oids"
      while (reader.string()) {} // dependencies, ended by a null string
      if (reader.byte() === OFFSET_POS_SET) return { kind: 'leave', why: 'data offsets already filled in' };
      reader.skip(OFFSET_SIZE);
    }
    return { kind: 'compactable', dataStart: reader.position, entries };
  } catch (e) {
    if (e === INCOMPLETE) return { kind: 'incomplete' };
    throw e;
  }
}

const INCOMPLETE = Symbol('incomplete');

class HeadReader {
  position = 0;
  constructor(private readonly bytes: Buffer) {}

  private take(n: number): number {
    if (this.position + n > this.bytes.length) throw INCOMPLETE;
    const at = this.position;
    this.position += n;
    return at;
  }
  byte(): number {
    return this.bytes[this.take(1)]!;
  }
  skip(n: number): void {
    this.take(n);
  }
  latin1(n: number): string {
    const at = this.take(n);
    return this.bytes.toString('latin1', at, at + n);
  }
  int(): number {
    return readInt(this.bytes, this.take(INT_BYTES));
  }
  /** The string as text; null for the null string. */
  text(): string | null {
    const length = this.int();
    if (length < 0) return null;
    const at = this.take(length);
    return this.bytes.toString('utf8', at, at + length);
  }
  /** False for the null string (length -1). */
  string(): boolean {
    const length = this.int();
    if (length < 0) return false;
    this.take(length);
    return true;
  }
  skipStrings(n: number): void {
    for (let i = 0; i < n; i++) this.string();
  }
}

/** Integer arithmetic only: this runs once per row, and `2 ** n` in it tripled the cost. */
function readInt(bytes: Uint8Array, at: number): number {
  const magnitude = (bytes[at + 1]! | (bytes[at + 2]! << 8) | (bytes[at + 3]! << 16)) + bytes[at + 4]! * 0x1000000;
  return bytes[at] ? -magnitude : magnitude;
}

function intBytes(value: number): Buffer {
  const bytes = Buffer.alloc(INT_BYTES);
  bytes.writeUInt32LE(value, 1);
  return bytes;
}

const END_OF_CHUNKS = intBytes(0);

enum At {
  /** The table of contents is still arriving. */
  Head,
  BlockStart,
  DataLength,
  DataBytes,
  LargeObjectOid,
  LargeObjectLength,
  LargeObjectBytes,
  /** Everything from here on goes through as it is. */
  PassThrough,
}

/**
 * A compactArchive() stream. It also counts each block's data bytes on the way (the archive's
 * table of contents, written before the data, has no sizes): the restore balances its streams by them.
 */
export class ArchiveCompactor extends Transform {
  private at = At.Head;
  private readonly sizes = new Map<number, number>();
  /** The dump id of the block being read, and its data bytes so far (a plain field: this runs once per row). */
  private block = 0;
  private blockBytes = 0;
  /** The start of the stream while its table of contents is still incomplete. */
  private head: Buffer = Buffer.alloc(0);
  /** Bytes of the current chunk's data still to come. */
  private remaining = 0;
  /** The start of a length or a block header that the next chunk completes. */
  private carry: Buffer | null = null;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.at === At.Head) {
      const rest = this.takeHead(chunk);
      if (rest === null) {
        done();
        return;
      }
      chunk = rest;
    }
    if (this.at === At.PassThrough) {
      this.push(chunk);
      done();
      return;
    }
    if (this.carry) {
      chunk = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    this.compact(chunk);
    done();
  }

  /**
   * Data bytes per dump id of every block seen, once the stream has ended; null when it was passed
   * through as it came (an archive this reader does not know), so that its sizes are unknown.
   */
  dataSizes(): ReadonlyMap<number, number> | null {
    return this.at === At.BlockStart && !this.carry ? this.sizes : null;
  }

  private endBlock(): void {
    this.sizes.set(this.block, (this.sizes.get(this.block) ?? 0) + this.blockBytes);
    this.at = At.BlockStart;
  }

  override _flush(done: TransformCallback): void {
    // A stream that ended early goes on as it came: pg_dump's exit code and the read-back say what went wrong.
    if (this.at === At.Head && this.head.length > 0) this.push(this.head);
    if (this.carry) this.push(this.carry);
    done();
  }

  /** Collects the table of contents; once it is whole, passes it on and returns what follows it. */
  private takeHead(chunk: Buffer): Buffer | null {
    const bytes = this.head.length > 0 ? Buffer.concat([this.head, chunk]) : chunk;
    const head = parseArchiveHead(bytes);
    if (head.kind === 'incomplete') {
      this.head = bytes;
      return null;
    }
    this.head = Buffer.alloc(0);
    if (head.kind === 'leave') {
      this.at = At.PassThrough;
      return bytes;
    }
    this.push(bytes.subarray(0, head.dataStart));
    this.at = At.BlockStart;
    return bytes.subarray(head.dataStart);
  }

  /**
   * One pass over a chunk. A table's row data is moved down over the row lengths
   * between them (copyWithin, no allocation) and goes out as one chunk with one
   * length: a run. Lengths and headers split across chunks wait in `carry`.
   */
  private compact(chunk: Buffer): void {
    const end = chunk.length;
    let p = 0;
    let runStart = -1;
    let runEnd = 0;
    const endRun = () => {
      if (runStart >= 0 && runEnd > runStart) {
        this.push(intBytes(runEnd - runStart));
        this.push(chunk.subarray(runStart, runEnd));
      }
      runStart = -1;
    };
    while (p < end) {
      switch (this.at) {
        case At.DataBytes: {
          const n = Math.min(this.remaining, end - p);
          if (runStart < 0) runStart = runEnd = p;
          if (runEnd !== p) chunk.copyWithin(runEnd, p, p + n);
          this.blockBytes += n;
          runEnd += n;
          p += n;
          this.remaining -= n;
          if (this.remaining === 0) this.at = At.DataLength;
          break;
        }
        case At.DataLength: {
          if (end - p < INT_BYTES) {
            this.keep(chunk, p, endRun);
            return;
          }
          const length = readInt(chunk, p);
          p += INT_BYTES;
          if (length > 0) {
            this.remaining = length;
            this.at = At.DataBytes;
          } else {
            endRun();
            this.push(END_OF_CHUNKS);
            this.endBlock();
          }
          break;
        }
        case At.BlockStart: {
          if (end - p < 1 + INT_BYTES) {
            this.keep(chunk, p, endRun);
            return;
          }
          const type = chunk[p];
          if (type !== BLOCK_DATA && type !== BLOCK_LARGE_OBJECTS) {
            endRun();
            this.at = At.PassThrough;
            this.push(chunk.subarray(p));
            return;
          }
          this.push(chunk.subarray(p, p + 1 + INT_BYTES));
          this.block = readInt(chunk, p + 1);
          this.blockBytes = 0;
          p += 1 + INT_BYTES;
          this.at = type === BLOCK_DATA ? At.DataLength : At.LargeObjectOid;
          break;
        }
        // Large objects go through as they are: rare, and framed per object.
        case At.LargeObjectOid:
        case At.LargeObjectLength: {
          if (end - p < INT_BYTES) {
            this.keep(chunk, p, endRun);
            return;
          }
          const value = readInt(chunk, p);
          this.push(chunk.subarray(p, p + INT_BYTES));
          p += INT_BYTES;
          if (this.at === At.LargeObjectOid) {
            if (value === 0) this.endBlock();
            else this.at = At.LargeObjectLength;
          } else if (value === 0) this.at = At.LargeObjectOid;
          else {
            this.remaining = value;
            this.at = At.LargeObjectBytes;
          }
          break;
        }
        case At.LargeObjectBytes: {
          const n = Math.min(this.remaining, end - p);
          this.push(chunk.subarray(p, p + n));
          this.blockBytes += n;
          p += n;
          this.remaining -= n;
          if (this.remaining === 0) this.at = At.LargeObjectLength;
          break;
        }
        default:
          throw new Error(`unreachable: compacting in state ${this.at}`);
      }
    }
    endRun();
  }

  /** Ends the run, and keeps the partial length or header at `p` for the next chunk. */
  private keep(chunk: Buffer, p: number, endRun: () => void): void {
    endRun();
    this.carry = Buffer.from(chunk.subarray(p));
  }
}
