import type { Context as HonoContext } from 'hono';
import type { z } from 'zod';
import { formatIssues } from '../config/index.js';
import { inputError } from '../errors.js';

/**
 * Parses a JSON body with a schema. An empty body counts as `{}`, so the
 * runbook's bare `curl -X POST` works; anything else must be valid JSON.
 */
export async function jsonBody<S extends z.ZodType>(c: HonoContext, schema: S): Promise<z.output<S>> {
  const text = await c.req.text();
  let value: unknown = {};
  if (text.trim() !== '') {
    try {
      value = JSON.parse(text);
    } catch {
      throw inputError('request body is not valid JSON');
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw inputError(formatIssues(parsed.error.issues));
  return parsed.data;
}

export function idParam(raw: string, what: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(raw)) throw inputError(`${what} must be a positive integer`);
  return Number(raw);
}
