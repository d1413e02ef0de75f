import { openRegularFile } from '../util/fsutil.js';

/**
 * The data sizes of a `.dump.zst`'s archive, stored at the end of the file in a zstd skippable
 * frame: every zstd reader skips it (the format's own rule for skippable frames; `zstd -dc FILE |
 * pg_restore` and `zstd -t` are unchanged), and it is inside the file, so it travels with every
 * copy (download, off-site) and is covered by the file's sha256.
 *
 * Why: pg_dump writes the table of contents before the data, so a streamed archive carries no
 * sizes, and the restore needs them to balance its parallel streams (restorePlan.ts). The backup
 * counts them for free on the way (compactArchive.ts).
 *
 * Layout: the frame's magic and length (RFC 8878 §3.1.2), then JSON `{"dataBytes": {"<dump id>":
 * bytes, …}}`, the JSON's length (u32 LE) and `SYIX`: a reader finds it from the file's end.
 */
export type DataSizes = ReadonlyMap<number, number>;

/** A skippable frame's magic number: 0x184D2A50 to 0x184D2A5F, the low nibble free for the user. */
const SKIPPABLE_MAGIC = 0x184d2a5e;
const MARK = 'SYIX';
const FOOTER_BYTES = 8;
const FRAME_HEADER_BYTES = 8;
/** Far above any real index (a few dozen bytes per table); a guard against reading a damaged length. */
const MAX_JSON_BYTES = 64 << 20;

/** The frame that ends a `.dump.zst` (pure). */
export function encodeArchiveIndex(sizes: DataSizes): Buffer {
  const json = Buffer.from(JSON.stringify({ dataBytes: Object.fromEntries(sizes) }));
  const frame = Buffer.alloc(FRAME_HEADER_BYTES + json.length + FOOTER_BYTES);
  frame.writeUInt32LE(SKIPPABLE_MAGIC, 0);
  frame.writeUInt32LE(json.length + FOOTER_BYTES, 4);
  json.copy(frame, FRAME_HEADER_BYTES);
  frame.writeUInt32LE(json.length, FRAME_HEADER_BYTES + json.length);
  frame.write(MARK, FRAME_HEADER_BYTES + json.length + 4, 'latin1');
  return frame;
}

/**
 * The sizes at the end of `tail` (the last bytes of a file), or null when it does not end with a
 * whole, well-formed index frame: a file written before there was one, or a damaged one. Pure.
 */
export function decodeArchiveIndex(tail: Buffer): DataSizes | null {
  if (tail.length < FRAME_HEADER_BYTES + FOOTER_BYTES) return null;
  if (tail.toString('latin1', tail.length - 4) !== MARK) return null;
  const jsonBytes = tail.readUInt32LE(tail.length - FOOTER_BYTES);
  const start = tail.length - FOOTER_BYTES - jsonBytes - FRAME_HEADER_BYTES;
  if (start < 0) return null;
  if (tail.readUInt32LE(start) !== SKIPPABLE_MAGIC || tail.readUInt32LE(start + 4) !== jsonBytes + FOOTER_BYTES)
    return null;
  try {
    const parsed = JSON.parse(
      tail.toString('utf8', start + FRAME_HEADER_BYTES, start + FRAME_HEADER_BYTES + jsonBytes),
    );
    const entries = Object.entries((parsed as { dataBytes?: unknown }).dataBytes ?? {});
    const sizes = new Map<number, number>();
    for (const [id, bytes] of entries) {
      if (!/^\d+$/.test(id) || typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) return null;
      sizes.set(Number(id), bytes);
    }
    return sizes;
  } catch {
    return null;
  }
}

/** The index at the end of a stored `.dump.zst`, or null when it has none (see decodeArchiveIndex). */
export async function readArchiveIndex(file: string): Promise<DataSizes | null> {
  const handle = await openRegularFile(file);
  try {
    const { size } = await handle.stat();
    const footer = Buffer.alloc(FOOTER_BYTES);
    if (size < FOOTER_BYTES) return null;
    await handle.read(footer, 0, FOOTER_BYTES, size - FOOTER_BYTES);
    if (footer.toString('latin1', 4) !== MARK) return null;
    const jsonBytes = footer.readUInt32LE(0);
    const frameBytes = FRAME_HEADER_BYTES + jsonBytes + FOOTER_BYTES;
    if (jsonBytes > MAX_JSON_BYTES || frameBytes > size) return null;
    const tail = Buffer.alloc(frameBytes);
    await handle.read(tail, 0, frameBytes, size - frameBytes);
    return decodeArchiveIndex(tail);
  } finally {
    await handle.close();
  }
}
