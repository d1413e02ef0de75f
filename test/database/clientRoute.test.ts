import { describe, expect, it } from 'vitest';
import { hostClientsMismatch } from '../../src/database/clientRoute.js';

describe("whether this host's client programs may stand in for the container's", () => {
  it('they may when pg_dump, pg_restore and psql are all of the server’s major version', () => {
    expect(hostClientsMismatch({ pg_dump: 15, pg_restore: 15, psql: 15 }, 15)).toBeNull();
  });

  it.each([
    [
      'an older pg_dump, which refuses a newer server',
      { pg_dump: 14, pg_restore: 15, psql: 15 },
      "this host's pg_dump is 14, the server 15",
    ],
    [
      'a newer pg_dump, whose archives the container’s pg_restore could not read',
      { pg_dump: 16, pg_restore: 16, psql: 16 },
      "this host's pg_dump is 16, the server 15",
    ],
    [
      'a pg_restore of another version',
      { pg_dump: 15, pg_restore: 17, psql: 15 },
      "this host's pg_restore is 17, the server 15",
    ],
    ['no pg_dump at all', { pg_dump: null, pg_restore: 15, psql: 15 }, 'this host has no pg_dump'],
    ['no pg_restore at all', { pg_dump: 15, pg_restore: null, psql: 15 }, 'this host has no pg_restore'],
    ['no psql, which loads a large table’s rows', { pg_dump: 15, pg_restore: 15, psql: null }, 'this host has no psql'],
  ])('they may not with %s, and say so', (_what, majors, why) => {
    expect(hostClientsMismatch(majors, 15)).toBe(why);
  });
});
