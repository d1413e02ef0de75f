import { queryParameters } from '../util/urlQuery.js';

/** How this host's client programs and node-postgres reach a server. */
export interface HostConnection {
  /** A host name, or a directory holding the server's unix socket. */
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  database: string;
  sslmode: string | undefined;
}

/**
 * The query parameters URL mode honours. libpq knows many more; any other is refused by the config
 * rather than ignored, since ignoring one (a `host`, an `sslrootcert`) would connect some other way
 * than the URL says.
 */
export const URL_PARAMETERS = ['password', 'sslmode'] as const;

/**
 * Reads `database.url` as libpq does, into the connection this host's client programs and node-postgres
 * are given: user info and query percent-decoded, and a `?password=` winning over the user info's.
 * Throws an Error naming the problem, never a value.
 */
export function parsePostgresUrl(url: string): HostConnection {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error('a postgres://user:pass@host:port/dbname URL');
  }
  if ((u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') || u.pathname.length <= 1) {
    throw new Error('a postgres://user:pass@host:port/dbname URL');
  }
  try {
    const query = queryParameters(u.search);
    for (const { name } of query) {
      if (!(URL_PARAMETERS as readonly string[]).includes(name)) throw new UnsupportedParameter(name);
    }
    const parameter = (name: string) => query.filter((p) => p.name === name).pop()?.value;
    return {
      host: decodeURIComponent(u.hostname) || 'localhost',
      port: u.port ? Number(u.port) : 5432,
      user: decodeURIComponent(u.username) || 'postgres',
      password: parameter('password') ?? (u.password ? decodeURIComponent(u.password) : undefined),
      database: decodeURIComponent(u.pathname.slice(1)),
      sslmode: parameter('sslmode'),
    };
  } catch (e) {
    if (e instanceof UnsupportedParameter) throw e;
    throw new Error('a URL whose user info, path and query are percent-encoded correctly');
  }
}

class UnsupportedParameter extends Error {
  constructor(name: string) {
    // A name that is not a plain word is not echoed: it may be a value written in the wrong place.
    const which = /^[a-z_]{1,40}$/.test(name) ? `?${name}=` : 'this query parameter';
    super(`${which} is not supported (only ${URL_PARAMETERS.map((p) => `?${p}=`).join(' and ')})`);
  }
}
