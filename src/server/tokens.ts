import { timingSafeEqual } from 'node:crypto';
import { sha256 } from '../util/hash.js';
import type { Config } from '../config/index.js';
import { configError } from '../errors.js';
import type { SecretSink } from '../util/redact.js';
import type { Role } from '../domain/roles.js';

export interface ApiToken {
  name: string;
  role: Role;
  sha256: Buffer;
}

/** The admin token from the environment (always `admin`) and the hashed tokens from config, each with its role. */
export function resolveTokens(config: Config, env: NodeJS.ProcessEnv, secrets: SecretSink): ApiToken[] {
  const tokens: ApiToken[] = config.server.tokens.map((t) => ({
    name: t.name,
    role: t.role,
    sha256: Buffer.from(t.sha256, 'hex'),
  }));
  const admin = env.SWITCHYARD_ADMIN_TOKEN;
  if (admin !== undefined && admin !== '') {
    if (admin.length < 16) throw configError('SWITCHYARD_ADMIN_TOKEN: must be at least 16 characters');
    secrets.register(admin);
    tokens.push({ name: 'admin', role: 'admin', sha256: sha256(admin) });
  }
  if (tokens.length === 0) {
    throw configError(
      'no API token: set SWITCHYARD_ADMIN_TOKEN or server.tokens (the API is never served without one)',
    );
  }
  return tokens;
}

/**
 * Finds the token a presented secret matches. Comparing fixed-length hashes with
 * timingSafeEqual, and checking every token, keeps the time independent of the secret.
 */
export function matchToken(tokens: readonly ApiToken[], presented: string): ApiToken | undefined {
  const digest = sha256(presented);
  let match: ApiToken | undefined;
  for (const token of tokens) {
    if (timingSafeEqual(token.sha256, digest) && !match) match = token;
  }
  return match;
}
