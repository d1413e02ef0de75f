/**
 * The few error kinds a user can act on. Each carries a one-line message that is
 * safe to show (secrets already redacted); the CLI maps `kind` to an exit code and
 * the HTTP API to a status, only at those two edges.
 */
export type ErrorKind =
  | 'config' // the config file is missing or invalid
  | 'input' // a bad argument or request body
  | 'auth' // missing or wrong credentials
  | 'forbidden' // known credentials, but the role does not allow this
  | 'limited' // too many failed attempts; try again later
  | 'not-found' // a named thing does not exist
  | 'conflict' // another operation holds the lock
  | 'failed'; // an operation ran and failed (pg_dump, docker, disk, ...)

export class SwitchyardError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SwitchyardError';
  }
}

export const configError = (message: string) => new SwitchyardError('config', message);
export const inputError = (message: string) => new SwitchyardError('input', message);
export const authError = (message: string) => new SwitchyardError('auth', message);
export const forbidden = (message: string) => new SwitchyardError('forbidden', message);
export const limited = (message: string) => new SwitchyardError('limited', message);
export const notFound = (message: string) => new SwitchyardError('not-found', message);
export const conflict = (message: string) => new SwitchyardError('conflict', message);
export const failed = (message: string, cause?: unknown) => new SwitchyardError('failed', message, { cause });

/** One line for a human, from anything thrown. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
}
