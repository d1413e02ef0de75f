import type { z } from 'zod';
import { formatIssues, validate } from '../util/validate.js';
import { inputError } from '../errors.js';

/** Input checked against a schema, as the config is: one input error naming each key that is wrong. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = validate(schema, value);
  if (!parsed.success) throw inputError(formatIssues(parsed.error.issues));
  return parsed.data;
}
