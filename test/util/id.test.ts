import { describe, expect, it } from 'vitest';
import { parseId } from '../../src/util/id.js';

describe('parseId', () => {
  it('takes positive integers a number holds exactly, and nothing else', () => {
    expect(parseId('1')).toBe(1);
    expect(parseId(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    for (const bad of [
      '9007199254740992',
      '9999999999999999',
      '99999999999999999',
      '0',
      '-1',
      '1e3',
      '01',
      ' 1',
      '1.0',
      '',
      undefined,
    ]) {
      expect(parseId(bad), String(bad)).toBeUndefined();
    }
  });
});
