import { describe, expect, it } from 'vitest';
import { backupStaleness } from '../../src/backup/staleness.js';

describe('backupStaleness: the one rule for the overview and the backup-stale notification', () => {
  const now = new Date('2026-03-10T12:00:00Z');
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();

  it('without a schedule, uses the runbook drill pre-check: younger than 24 h', () => {
    expect(backupStaleness(undefined, hoursAgo(23), now)).toMatchObject({
      basis: 'runbook',
      allowedHours: 24,
      stale: false,
    });
    expect(backupStaleness(undefined, hoursAgo(25), now)).toMatchObject({ stale: true });
  });

  it('with a schedule, allows one interval plus an hour', () => {
    expect(backupStaleness('0 * * * *', hoursAgo(1.5), now)).toMatchObject({
      basis: 'schedule',
      allowedHours: 2,
      stale: false,
    });
    expect(backupStaleness('0 * * * *', hoursAgo(2.5), now).stale).toBe(true);
    // A daily schedule tolerates 25 h, where the fixed 24 h rule would already warn.
    expect(backupStaleness('0 3 * * *', hoursAgo(24.5), now)).toMatchObject({ allowedHours: 25, stale: false });
  });

  it('no backup at all is stale, with no age', () => {
    expect(backupStaleness('0 3 * * *', undefined, now)).toMatchObject({ ageHours: null, stale: true });
  });
});
