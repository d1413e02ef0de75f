import { timingSafeEqual } from 'node:crypto';
import type { Role } from '../domain/roles.js';
import { sha256 } from '../util/hash.js';

/** A configured token (config or the environment's admin token): its name, its role and only its sha256. */
export interface ApiToken {
  name: string;
  role: Role;
  sha256: Buffer;
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
