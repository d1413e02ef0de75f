/**
 * The one id parser (API paths, UI paths, CLI arguments): a positive decimal integer that a
 * JavaScript number holds exactly. Above Number.MAX_SAFE_INTEGER, `Number()` would round
 * (9999999999999999 → 10000000000000000) and name a different record, so such ids are refused.
 */
export function parseId(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^[1-9][0-9]{0,15}$/.test(raw)) return undefined;
  const id = Number(raw);
  return Number.isSafeInteger(id) ? id : undefined;
}
