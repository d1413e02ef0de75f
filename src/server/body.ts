import type { Context as HonoContext, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import { formatIssues, validate } from '../util/validate.js';
import { inputError } from '../errors.js';
import { parseId } from '../util/id.js';

/** Every API body and UI form is a few fields; nothing legitimate comes near this. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Refuses a body over MAX_BODY_BYTES with 413 before reading it: by its Content-Length when it
 * has one, else by counting bytes as they stream in (stopping at the limit).
 */
export function limitBody(tooLarge: (c: HonoContext) => Response | Promise<Response>): MiddlewareHandler {
  return bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge });
}

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
  const parsed = validate(schema, value);
  if (!parsed.success) throw inputError(formatIssues(parsed.error.issues));
  return parsed.data;
}

export function idParam(raw: string, what: string): number {
  const id = parseId(raw);
  if (id === undefined) throw inputError(`${what} must be a positive integer up to ${Number.MAX_SAFE_INTEGER}`);
  return id;
}
