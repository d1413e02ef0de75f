import type { MiddlewareHandler } from 'hono';
import { authError } from '../errors.js';
import { matchToken, type ApiToken } from './tokens.js';

export type AuthVariables = { actor: string };

/** `Authorization: Bearer <token>`; the matched token's name becomes the audit actor. */
export function bearerAuth(tokens: readonly ApiToken[]): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw authError('missing bearer token (send Authorization: Bearer <token>)');
    const token = matchToken(tokens, match[1]!);
    if (!token) throw authError('invalid token');
    c.set('actor', `api:${token.name}`);
    await next();
  };
}
