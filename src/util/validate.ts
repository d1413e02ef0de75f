import type { z } from 'zod';

/**
 * Every schema check of outside input (config, API bodies, UI forms) goes through here, so each
 * issue carries the value it was given and `formatIssues` can say what came instead of what.
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown) {
  return schema.safeParse(value, { reportInput: true });
}

/** `path: message` for each problem, the way an operator looks up a key. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .flatMap((issue) => {
      const at = issue.path.map(String);
      if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => `${[...at, k].join('.')}: unknown key`);
      const where = at.length ? at.join('.') : '(top level)';
      return [`${where}: ${describeIssue(issue)}`];
    })
    .join('; ');
}

/** What was expected and what was given; the value itself is never echoed (it may be a secret). */
function describeIssue(issue: z.core.$ZodIssue): string {
  if (!/^Invalid (input|option)/.test(issue.message)) return issue.message; // a schema's own words win
  if (issue.code === 'invalid_value' && issue.values.length > 1) {
    const expected = `one of ${issue.values.map(String).join(', ')}`;
    return issue.input === undefined
      ? `required (${expected})`
      : `expected ${expected}, got another ${typeName(issue.input)}`;
  }
  if (issue.code !== 'invalid_type') return issue.message;
  if (issue.input === undefined) return 'required';
  return `expected ${issue.expected}, got ${typeName(issue.input)}`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  return typeof value;
}
