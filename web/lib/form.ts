import type { Context as HonoContext } from 'hono';
import type { z } from 'zod';
import { parseInput } from '../../src/app/index.js';
import { notFound } from '../../src/errors.js';
import { parseId } from '../../src/util/id.js';

/** Parses a submitted form with a schema: the one place where form input is trusted. */
export async function formBody<S extends z.ZodType>(c: HonoContext, schema: S): Promise<z.output<S>> {
  const raw = await c.req.parseBody(); // cached: the guard already read it for the CSRF token
  const fields = Object.fromEntries(Object.entries(raw).filter(([, v]) => typeof v === 'string'));
  return parseInput(schema, fields);
}

/** A numeric id from the path; anything else is simply not found. */
export function idFromPath(raw: string | undefined, what: string): number {
  const id = parseId(raw);
  if (id === undefined) throw notFound(`${what} "${(raw ?? '').slice(0, 20)}" does not exist`);
  return id;
}
