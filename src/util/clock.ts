/** Where an operation takes the time it records, so tests can fix it; `systemClock` in production. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
