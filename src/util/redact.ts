/**
 * Secrets must never reach a log line or an error message. Known secret values
 * are registered once (tokens, database passwords) and every outgoing text passes
 * through `redact`, which also masks the password of any URL it sees.
 */
const secrets = new Set<string>();

export function registerSecret(value: string | undefined): void {
  // Very short values would mask unrelated text; they are not credible secrets anyway.
  if (value && value.length >= 4) secrets.add(value);
}

/** A URL's scheme and authority: the authority ends where the URL parser ends it (at "/", "?" or "#"). */
const URL_AUTHORITY = /([a-z][a-z0-9+.-]*:\/\/)([^/?#\\\s"'<>`]*)/gi;

/**
 * The URL parser's own rule (WHATWG): the user info is everything before the LAST "@" of the
 * authority, and the password is what follows its first ":". So `user:Hidden@Tail@host` has the
 * password `Hidden@Tail`, exactly as `new URL` and libpq read it; a pattern stopping at the first
 * "@" would leave `Tail` in clear.
 */
function maskUrlPassword(whole: string, scheme: string, authority: string): string {
  const at = authority.lastIndexOf('@');
  if (at < 0) return whole;
  const userinfo = authority.slice(0, at);
  const colon = userinfo.indexOf(':');
  if (colon < 0) return whole;
  return `${scheme}${userinfo.slice(0, colon)}:***${authority.slice(at)}`;
}

/** The password of a URL as the parser reads it, in both spellings a text may carry it. */
export function registerUrlSecret(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return;
  }
  if (!parsed.password) return;
  registerSecret(parsed.password);
  try {
    registerSecret(decodeURIComponent(parsed.password));
  } catch {
    /* not percent-decodable: the raw form is registered */
  }
}

export function redact(text: string): string {
  let out = text.replace(URL_AUTHORITY, maskUrlPassword);
  for (const secret of secrets) out = out.split(secret).join('***');
  return out;
}
