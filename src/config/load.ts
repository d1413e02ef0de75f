import fs from 'node:fs';
import YAML from 'yaml';
import { configError, oneLine } from '../errors.js';
import type { Redactor } from '../util/redact.js';
import { configSchema, type Config } from './schema.js';
import { formatIssues, validate } from '../util/validate.js';

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
