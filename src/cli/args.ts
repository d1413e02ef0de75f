import { parseArgs } from 'node:util';
import { inputError } from '../errors.js';

export interface CommonOptions {
  config?: string;
  json: boolean;
  verbose: boolean;
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

const COMMON: OptionSpec = {
  config: { type: 'string', short: 'c' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
};

/** Strict parsing: an unknown flag or a stray argument is a one-line usage error. */
export function parseCommand<O extends OptionSpec>(argv: readonly string[], options: O, maxPositionals: number) {
  const spec = { args: [...argv], options: { ...COMMON, ...options }, allowPositionals: true, strict: true } as const;
  let parsed: ReturnType<typeof parseArgs<typeof spec>>;
  try {
    parsed = parseArgs(spec);
  } catch (e) {
    throw inputError((e as Error).message.split('\n')[0]!.replace(/\. To specify a positional.*$/, ''));
  }
  if (parsed.positionals.length > maxPositionals) {
    throw inputError(`unexpected argument: ${parsed.positionals[maxPositionals]}`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const common: CommonOptions = {
    config: values.config as string | undefined,
    json: Boolean(values.json),
    verbose: Boolean(values.verbose),
  };
  return { common, values, positionals: parsed.positionals };
}
