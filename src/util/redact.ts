import { queryParameters } from './urlQuery.js';

/**
 * A URL in a text: its scheme, its authority (which ends where the URL parser ends it, at "/", "?" or
 * "#"), its path and its query; each part stops at what cannot be in a URL written in a text.
 */
const URL_IN_TEXT = /([a-z][a-z0-9+.-]*:\/\/)([^/?#\\\s"'<>`]*)([^?#\\\s"'<>`]*)(\?[^#\\\s"'<>`]*)?/gi;

/**
 * Query parameters whose value is a secret, by name: libpq's `password` and `sslpassword` (and `sslkey`
 * and `passfile`, which name the files that hold one), and what other services call theirs: a
 * webhook's `token`, an `api_key`, a presigned URL's `X-Amz-Signature` and `X-Amz-Credential`.
 */
const SECRET_PARAMETER = /pass|secret|token|key|sig|auth|credential/i;

export const isSecretParameter = (name: string): boolean => SECRET_PARAMETER.test(name);

/**
 * The URL parser's own rule (WHATWG): the user info is everything before the LAST "@" of the
 * authority, and the password is what follows its first ":". So `user:Hidden@Tail@host` has the
 * password `Hidden@Tail`, exactly as `new URL` and libpq read it; a pattern stopping at the first
 * "@" would leave `Tail` in clear.
 */
function maskAuthority(authority: string): string {
  const at = authority.lastIndexOf('@');
  if (at < 0) return authority;
  const userinfo = authority.slice(0, at);
  const colon = userinfo.indexOf(':');
  if (colon < 0) return authority;
  return `${userinfo.slice(0, colon)}:***${authority.slice(at)}`;
}

/**
 * `?password=x&sslmode=require` → `?password=***&sslmode=require`. Punctuation ending the query is the
 * text's, not the URL's (`cannot connect to URL: ...`), and stays.
 */
function maskQuery(query: string): string {
  const [, body, trailing] = /^([\s\S]*?)([.,:;!?)\]}]*)$/.exec(query)!;
  return maskPairs(body!) + trailing!;
}

function maskPairs(query: string): string {
  return query.replace(/([?&])([^=&]*)=([^&]*)/g, (pair, sep: string, name: string) => {
    let decoded = name;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      /* judged as written */
    }
    return isSecretParameter(decoded) ? `${sep}${name}=***` : pair;
  });
}

/**
 * Masks the secrets every URL in a text may carry by its shape: the user info's password and the values
 * of secret-named query parameters. Needs no registry, so any module may use it.
 */
export function maskUrlSecrets(text: string): string {
  return text.replace(
    URL_IN_TEXT,
    (_whole, scheme: string, authority: string, path: string, query: string | undefined) =>
      `${scheme}${maskAuthority(authority)}${path}${query ? maskQuery(query) : ''}`,
  );
}

/**
 * How a URL that is itself a credential (a webhook's: Slack and Discord carry their token in the path) is
 * shown: its scheme, host and first path segment; the rest of the path, the user info and every query
 * value are `***`. A URL that does not parse is shown as `***`.
 */
export function maskCredentialUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '***';
  }
  const userinfo = u.username || u.password ? '***@' : '';
  const [first, ...rest] = u.pathname.split('/').filter((s) => s !== '');
  const path = first === undefined ? '' : rest.length ? `/${first}/***` : '/***';
  const names = u.search
    .slice(1)
    .split('&')
    .filter((p) => p !== '');
  const query = names.length ? `?${names.map((p) => `${p.split('=')[0]}=***`).join('&')}` : '';
  return `${u.protocol}//${userinfo}${u.host}${path}${query}${u.hash ? '#***' : ''}`;
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
 * config; every outgoing text passes through `redact`, which also masks what any URL carries by its shape
 * (`maskUrlSecrets`).
 * One instance per root, so two configs in one process (tests) never share secrets.
 */
export class Redactor implements SecretSink, Redact {
  /** Each secret and what is shown instead, longest first: a whole credential URL goes before its parts. */
  private secrets: [string, string][] = [];

  register(value: string | undefined): void {
    this.replace(value, '***');
  }

  /**
   * The secrets of a URL as the parser reads them, each in both spellings a text may carry it (as
   * written and percent-decoded): the user info's password and the values of secret-named query
   * parameters (libpq's `?password=`, `?sslpassword=`).
   */
  registerUrl(url: string): void {
    const u = parsed(url);
    if (!u) return;
    this.registerEncoded(u.password);
    for (const p of parametersOf(u)) if (isSecretParameter(p.name)) this.registerEncoded(p.raw);
  }

  /**
   * A URL that is itself a credential (a webhook's): shown as `maskCredentialUrl` says wherever it appears
   * whole; its user info, its query values and its path segments long enough to be tokens (16 characters
   * or more) are masked wherever one appears alone.
   */
  registerCredentialUrl(url: string): void {
    const u = parsed(url);
    if (!u) return;
    this.replace(url, maskCredentialUrl(url));
    this.registerEncoded(u.username);
    this.registerEncoded(u.password);
    for (const p of parametersOf(u)) this.registerEncoded(p.raw);
    for (const segment of u.pathname.split('/')) if (segment.length >= 16) this.registerEncoded(segment);
  }

  /** Arrow-bound, so it can be handed on as a plain function (`redact: redactor.redact`). */
  redact = (text: string): string => {
    let out = text;
    for (const [secret, shown] of this.secrets) out = out.split(secret).join(shown);
    return maskUrlSecrets(out);
  };

  private registerEncoded(raw: string): void {
    this.register(raw);
    try {
      this.register(decodeURIComponent(raw));
    } catch {
      /* not percent-decodable: the raw form is registered */
    }
  }

  private replace(secret: string | undefined, shown: string): void {
    // Very short values would mask unrelated text; they are not credible secrets anyway.
    if (!secret || secret.length < 4 || this.secrets.some(([s]) => s === secret)) return;
    this.secrets.push([secret, shown]);
    this.secrets.sort((a, b) => b[0].length - a[0].length);
  }
}

function parsed(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** A query that is not percent-decodable has no parameters to learn: its text is masked by its shape. */
function parametersOf(u: URL): ReturnType<typeof queryParameters> {
  try {
    return queryParameters(u.search);
  } catch {
    return [];
  }
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
