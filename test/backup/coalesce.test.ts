import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { coalesce } from '../../src/backup/coalesce.js';

async function piecesOf(input: Buffer[], size: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const piece of Readable.from(input, { objectMode: false }).pipe(coalesce(size))) out.push(piece as Buffer);
  return out;
}

describe('joining small pieces', () => {
  it('gives pieces of at least the size, then the rest, with every byte in order', async () => {
    const input = Array.from({ length: 100 }, (_, i) => Buffer.alloc(7 + (i % 13), i));
    const out = await piecesOf(input, 64);
    expect(Buffer.concat(out)).toEqual(Buffer.concat(input));
    expect(out.slice(0, -1).every((p) => p.length >= 64)).toBe(true);
    expect(out.at(-1)!.length).toBeGreaterThan(0);
    expect(out.length).toBeLessThan(input.length / 4);
  });

  it('passes a piece already large enough as it is, and gives nothing for nothing', async () => {
    const big = Buffer.alloc(100, 1);
    const out = await piecesOf([big], 64);
    expect(out).toHaveLength(1);
    expect(out[0]!.buffer).toBe(big.buffer); // not copied
    expect(await piecesOf([], 64)).toEqual([]);
  });
});
