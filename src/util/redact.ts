/**
 * Secrets must never reach a log line or an error message. Known secret values
 * are registered once (tokens, database passwords) and every outgoing text passes
 * through `redact`, which also masks the password part of any URL it sees.
 */
const secrets = new Set<string>();

export function registerSecret(value: string | undefined): void {
  // Very short values would mask unrelated text; they are not credible secrets anyway.
  if (value && value.length >= 4) secrets.add(value);
}

const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\s]+)@/gi;

export function redact(text: string): string {
  let out = text.replace(URL_PASSWORD, '$1***@');
  for (const secret of secrets) out = out.split(secret).join('***');
  return out;
}
