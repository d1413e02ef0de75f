import { describe, expect, it } from 'vitest';
import { drillMarkdown, restoreTime } from '../../src/backup/drill.js';

describe('drill restore time', () => {
  it('reads sensibly from a sub-second restore to an hour-long one', () => {
    expect(restoreTime(87)).toBe('0.09 s');
    expect(restoreTime(850)).toBe('0.85 s');
    expect(restoreTime(12_340)).toBe('12.3 s');
    expect(restoreTime(252_000)).toBe('4.2 minutes (252 s)');
  });

  it('is what the runbook report says (never "0.0 minutes")', () => {
    const md = drillMarkdown({
      id: 1,
      backupId: 1,
      startedAt: '2026-01-01T00:00:00Z',
      restoreMs: 120,
      verified: true,
      issues: [],
      actor: 'cli:ops',
      restoredRowCounts: { 'public.a': 1 },
      backupFile: 'x.dump',
      backupAgeHours: 1,
      scratchDatabase: 'app_dr_test',
    });
    expect(md).toContain('**Restore Time**: 0.12 s');
    expect(md).not.toContain('minutes');
  });
});
