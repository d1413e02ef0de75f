/** Quotes an identifier for SQL text (names are validated by the config schema; this is the belt to those braces). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
