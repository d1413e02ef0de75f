import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dumpProblem, lookupProblem, pinnedImageProblem, type PinnedImageSource } from '../../src/deploy/checks.js';

/** The rollback's check and its plan share these rules; the real operation and plan are in rollback and plan tests. */
describe('dumpProblem: the dump file as recorded, read without changing it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-checks-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const content = crypto.randomBytes(4096);
  const recorded = (fileName: string) => ({
    fileName,
    sizeBytes: content.length,
    sha256: crypto.createHash('sha256').update(content).digest('hex'),
  });

  it('a sound dump has no problem', async () => {
    fs.writeFileSync(path.join(dir, 'a.dump.zst'), content);
    expect(await dumpProblem(dir, recorded('a.dump.zst'))).toBeNull();
  });

  it('names a missing, a truncated, a changed and an unreadable dump', async () => {
    expect(await dumpProblem(dir, recorded('gone.dump.zst'))).toBe(`the dump gone.dump.zst is missing from ${dir}`);
    fs.writeFileSync(path.join(dir, 'short.dump.zst'), content.subarray(0, 1000));
    expect(await dumpProblem(dir, recorded('short.dump.zst'))).toBe(
      'the dump short.dump.zst is truncated: 1000 of its 4096 bytes are left',
    );
    const changed = Buffer.from(content);
    changed[10]! ^= 1;
    fs.writeFileSync(path.join(dir, 'changed.dump.zst'), changed);
    expect(await dumpProblem(dir, recorded('changed.dump.zst'))).toBe(
      'the dump changed.dump.zst does not match its recorded sha256: it was changed or damaged',
    );
    fs.mkdirSync(path.join(dir, 'folder.dump.zst'));
    expect(await dumpProblem(dir, { ...recorded('folder.dump.zst'), sizeBytes: null })).toBe(
      `the dump folder.dump.zst cannot be read: ${path.join(dir, 'folder.dump.zst')} is a directory, not a regular file; refusing to read it`,
    );
  });
});

describe('pinnedImageProblem: here, or pullable by its registry digest', () => {
  const digestRef = `registry.example/app@sha256:${'a'.repeat(64)}`;
  const source = (here: boolean, fetched: string | null): PinnedImageSource & { fetched: string[] } => {
    const fetchedRefs: string[] = [];
    return {
      fetched: fetchedRefs,
      isHere: async () => here,
      fetch: async (reference) => {
        fetchedRefs.push(reference);
        return fetched;
      },
    };
  };

  it('an image here is never fetched', async () => {
    const s = source(true, 'unused');
    expect(await pinnedImageProblem(s, 'backend', digestRef)).toBeNull();
    expect(s.fetched).toEqual([]);
  });

  it('an image not here: fine when its digest can be fetched, else why not; a tag alone cannot come back', async () => {
    expect(await pinnedImageProblem(source(false, null), 'backend', digestRef)).toBeNull();
    expect(await pinnedImageProblem(source(false, 'the registry does not have it'), 'backend', digestRef)).toBe(
      `image ${digestRef} of service backend is not on this host and cannot be pulled: the registry does not have it`,
    );
    const tagOnly = source(false, null);
    expect(await pinnedImageProblem(tagOnly, 'worker', 'app:latest')).toBe(
      'image app:latest of service worker is gone and has no registry digest to pull it by',
    );
    expect(tagOnly.fetched).toEqual([]);
  });

  it("reads the registry's answer: only present is fine, unknown keeps its reason", () => {
    expect(lookupProblem({ state: 'present' })).toBeNull();
    expect(lookupProblem({ state: 'absent' })).toBe('the registry does not have it');
    expect(lookupProblem({ state: 'unknown', error: 'registry unreachable: timeout' })).toBe(
      'registry unreachable: timeout',
    );
  });
});
