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

/** Masks the password of every URL in a text; needs no registry, so any module may use it. */
export function maskUrlPasswords(text: string): string {
  return text.replace(URL_AUTHORITY, maskUrlPassword);
}

/** Where a module that reads a secret tells the redactor about it. */
export interface SecretSink {
  register(value: string | undefined): void;
}

/** What an edge (log, API answer, page, terminal, anything persisted) needs to mask a text. */
export interface Redact {
  redact(text: string): string;
}

/**
 * Secrets must never reach a log line, an error message, an API answer or a record. The known
 * secret values of one process (tokens, database and registry passwords, bucket keys) are
 * registered with its Redactor, made by the composition root (CLI, daemon, tests) from the loaded
 * config; every outgoing text passes through `redact`, which also masks the password of any URL.
 * One instance per root, so two configs in one process (tests) never share secrets.
 */
export class Redactor implements SecretSink, Redact {
  private readonly secrets = new Set<string>();

  register(value: string | undefined): void {
    // Very short values would mask unrelated text; they are not credible secrets anyway.
    if (value && value.length >= 4) this.secrets.add(value);
  }

  /** The password of a URL as the parser reads it, in both spellings a text may carry it. */
  registerUrl(url: string): void {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return;
    }
    if (!parsed.password) return;
    this.register(parsed.password);
    try {
      this.register(decodeURIComponent(parsed.password));
    } catch {
      /* not percent-decodable: the raw form is registered */
    }
  }

  /** Arrow-bound, so it can be handed on as a plain function (`redact: redactor.redact`). */
  redact = (text: string): string => {
    let out = maskUrlPasswords(text);
    for (const secret of this.secrets) out = out.split(secret).join('***');
    return out;
  };
}

/** Every string inside a value (a step's detail, a report) through `redactor`, for anything persisted as JSON. */
export function redactDeep<T>(value: T, redactor: Redact): T {
  if (typeof value === 'string') return redactor.redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redactor)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, redactor)])) as T;
  }
  return value;
}
