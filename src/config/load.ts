import fs from 'node:fs';
import YAML from 'yaml';
import type { z } from 'zod';
import { configError } from '../errors.js';
import { configSchema, type Config } from './schema.js';

export const DEFAULT_CONFIG_PATH = '/etc/switchyard/config.yaml';

/** `--config`, else `$SWITCHYARD_CONFIG`, else the system default. */
export function configPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.SWITCHYARD_CONFIG ?? DEFAULT_CONFIG_PATH;
}

export function loadConfig(file: string): Config {
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
  return parseConfig(text, file);
}

export function parseConfig(text: string, source = 'config'): Config {
  const doc = YAML.parseDocument(text);
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const line = first.linePos?.[0]?.line;
    throw configError(`${source}${line ? `:${line}` : ''}: invalid YAML: ${first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  const result = configSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) throw configError(`${source}: ${formatIssues(result.error.issues)}`);
  return result.data;
}

/** `path: message` for each problem, the way an operator looks up a key. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .flatMap((issue) => {
      const at = issue.path.map(String);
      if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => `${[...at, k].join('.')}: unknown key`);
      const where = at.length ? at.join('.') : '(top level)';
      const message =
        issue.code === 'invalid_type' && issue.input === undefined ? 'required' : issue.message;
      return [`${where}: ${message}`];
    })
    .join('; ');
}
