import fs from 'node:fs';
import YAML from 'yaml';
import type { z } from 'zod';
import { configError, oneLine } from '../errors.js';
import type { Redactor } from '../util/redact.js';
import { configSchema, type Config } from './schema.js';

export const DEFAULT_CONFIG_PATH = '/etc/switchyard/config.yaml';

/** `--config`, else `$SWITCHYARD_CONFIG`, else the system default. */
export function configPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.SWITCHYARD_CONFIG ?? DEFAULT_CONFIG_PATH;
}

/** With `redactor`, the database URL's password is registered before any error message could carry it. */
export function loadConfig(file: string, redactor?: Redactor): Config {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw configError(
      code === 'ENOENT'
        ? `config file ${file} not found (pass --config FILE or set SWITCHYARD_CONFIG)`
        : `config file ${file} cannot be read: ${code ?? e}`,
    );
  }
  return parseConfig(text, file, redactor);
}

export function parseConfig(text: string, source = 'config', redactor?: Redactor): Config {
  const doc = YAML.parseDocument(text);
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const line = first.linePos?.[0]?.line;
    throw configError(
      `${source}${line ? `:${line}` : ''}: invalid YAML: ${first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
    );
  }
  const raw = toPlainData(doc, source);
  const url = (raw as { database?: { url?: unknown } }).database?.url;
  if (typeof url === 'string') redactor?.registerUrl(url); // before any error message could carry it
  const result = validate(configSchema, raw);
  if (!result.success) throw configError(`${source}: ${formatIssues(result.error.issues)}`);
  return result.data;
}

/** At most this many alias expansions (yaml's own default, stated): a "billion laughs" file stops here. */
const MAX_ALIAS_COUNT = 100;

function toPlainData(doc: YAML.Document, source: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (e) {
    const aliases = e instanceof ReferenceError && /alias count/i.test(e.message);
    throw configError(
      aliases
        ? `${source}: invalid YAML: its aliases expand too far (more than ${MAX_ALIAS_COUNT} expansions)`
        : `${source}: invalid YAML: ${oneLine(e)}`,
    );
  }
}

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

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  return typeof value;
}
