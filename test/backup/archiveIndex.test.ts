import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeArchiveIndex, encodeArchiveIndex, readArchiveIndex } from '../../src/backup/archiveIndex.js';

const SIZES = new Map([
  [3368, 193_988_901],
  [3371, 609_392_371],
  [3366, 5],
]);

describe('the data sizes at the end of a .dump.zst', () => {
  it('decode what was encoded, from the end of any longer tail', () => {
    const frame = encodeArchiveIndex(SIZES);
    expect(decodeArchiveIndex(frame)).toEqual(SIZES);
    expect(decodeArchiveIndex(Buffer.concat([Buffer.from('zstd output before it'), frame]))).toEqual(SIZES);
    expect(decodeArchiveIndex(encodeArchiveIndex(new Map()))).toEqual(new Map());
  });

  it('are not there when the tail does not end with a whole, well-formed frame', () => {
    const frame = encodeArchiveIndex(SIZES);
    expect(decodeArchiveIndex(frame.subarray(1))).toBeNull(); // cut at the front
    expect(decodeArchiveIndex(frame.subarray(0, -1))).toBeNull(); // cut at the end
    expect(decodeArchiveIndex(Buffer.from('just zstd output'))).toBeNull();
    const wrongMagic = Buffer.from(frame);
    wrongMagic.writeUInt32LE(0x184d2a5f, 0); // another skippable frame, not ours
    expect(decodeArchiveIndex(wrongMagic)).toBeNull();
    const notJson = Buffer.from(frame);
    notJson[8] = 0x7b + 1;
    expect(decodeArchiveIndex(notJson)).toBeNull();
    const wrongTypes = [
      { dataBytes: { x: 1 } },
      { dataBytes: { 1: -1 } },
      { dataBytes: { 1: 1.5 } },
      { dataBytes: { 1: '2' } },
    ];
    for (const content of wrongTypes) {
      const json = Buffer.from(JSON.stringify(content));
      const forged = Buffer.concat([frame.subarray(0, 8), json, Buffer.alloc(4), Buffer.from('SYIX')]);
      forged.writeUInt32LE(json.length + 8, 4);
      forged.writeUInt32LE(json.length, 8 + json.length);
      expect(decodeArchiveIndex(forged), JSON.stringify(content)).toBeNull();
    }
  });

  describe('in a real file', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-index-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('are skipped by zstd, which reads and tests the file as it was', async () => {
      const content = Buffer.from('PGDMP and an archive, as far as this test is concerned\n'.repeat(5000));
      const file = path.join(dir, 'a.dump.zst');
      fs.writeFileSync(
        file,
        Buffer.concat([execFileSync('zstd', ['-q', '-c'], { input: content }), encodeArchiveIndex(SIZES)]),
      );
      expect(execFileSync('zstd', ['-d', '-c', '-q', '--', file], { maxBuffer: 1 << 24 }).equals(content)).toBe(true);
      execFileSync('zstd', ['-t', '-q', '--', file]); // throws on a non-zero exit
      expect(await readArchiveIndex(file)).toEqual(SIZES);
    });

    it('are not in a file written before there were any', async () => {
      const file = path.join(dir, 'old.dump.zst');
      fs.writeFileSync(file, execFileSync('zstd', ['-q', '-c'], { input: Buffer.from('old archive\n') }));
      expect(await readArchiveIndex(file)).toBeNull();
      fs.writeFileSync(file, 'SYIX');
      expect(await readArchiveIndex(file)).toBeNull();
    });
  });
});
