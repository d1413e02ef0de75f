import { describe, expect, it } from 'vitest';
import { terminalText } from '../../src/util/terminalText.js';

describe('terminalText', () => {
  const hostile = 'fix: \u001b]0;pwned\u0007title \u001b[2J\rclear \u009b31m red \u202egnp.exe\u007f';

  it('writes every control character as a \\u escape, in one line or many', () => {
    const line = terminalText(`${hostile}\n\tnext`);
    expect(line).toBe(
      'fix: \\u001b]0;pwned\\u0007title \\u001b[2J\\u000dclear \\u009b31m red \\u202egnp.exe\\u007f\\u000a\\u0009next',
    );
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for them
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(terminalText('a\n\tb\r\u001b', { lines: true })).toBe('a\n\tb\\u000d\\u001b');
    expect(terminalText('plain text, ünïcode and emoji 🚀')).toBe('plain text, ünïcode and emoji 🚀');
  });

  it('keeps JSON valid and meaning the same', () => {
    const json = JSON.stringify({ subject: hostile });
    expect(JSON.parse(terminalText(json, { lines: true }))).toEqual({ subject: hostile });
  });
});
