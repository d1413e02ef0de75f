import { describe, expect, it } from 'vitest';
import { formatTime, formatUtcTime, timeOrDash } from '../../src/util/format.js';
import { inReaderZone, processZone, readerZone, validZone } from '../../src/util/readerZone.js';

describe('formatTime: the one way a person reads a time', () => {
  it('is local to the given zone, to the second, with the zone named, daylight saving included', () => {
    expect(formatTime('2026-12-07T23:40:08.123Z', 'Asia/Tokyo')).toBe('2026-12-08 08:40:08 GMT+9');
    expect(formatTime('2026-07-07T00:00:00Z', 'Europe/Berlin')).toBe('2026-07-07 02:00:00 GMT+2');
    expect(formatTime('2026-12-07T00:00:00Z', 'Europe/Berlin')).toBe('2026-12-07 01:00:00 GMT+1');
    expect(formatTime('2026-12-07T00:00:00Z', 'America/New_York')).toBe('2026-12-06 19:00:00 EST');
    expect(formatUtcTime('2026-12-07T00:00:05.9Z')).toBe('2026-12-07 00:00:05 UTC');
  });

  it('shows what it cannot read as it is, and a time still to come as a dash', () => {
    expect(formatTime('not a time', 'UTC')).toBe('not a time');
    expect(timeOrDash(null)).toBe('-');
  });

  it("is the reader's zone where one is set (a browser's), else the process's", () => {
    const iso = '2026-12-07T07:40:28Z';
    expect(formatTime(iso)).toBe(formatTime(iso, processZone()));
    expect(inReaderZone('Asia/Kolkata', () => formatTime(iso))).toBe('2026-12-07 13:10:28 GMT+5:30');
    expect(inReaderZone(undefined, readerZone)).toBe(processZone());
  });

  it('takes only zone names Intl knows from the cookie', () => {
    expect(validZone('Asia/Kolkata')).toBe('Asia/Kolkata');
    for (const bad of [undefined, '', 'Mars/Olympus', '../etc', 'x'.repeat(65), 'Europe/Berlin; Path=/'])
      expect(validZone(bad)).toBeUndefined();
  });
});
