/** Quotes an identifier for SQL text (names are validated by the config schema; this is the belt to those braces). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a string literal for SQL text (standard_conforming_strings: only the quote doubles). */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
