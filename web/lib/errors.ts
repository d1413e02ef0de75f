import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { SwitchyardError, oneLine, type ErrorKind } from '../../src/errors.js';
import type { Redact } from '../../src/util/redact.js';
import { HTTP_STATUS } from '../../src/server/errors.js';

/** What the operator can do about it, where there is something to do. */
const ADVICE: Partial<Record<ErrorKind, string>> = {
  conflict: ' Wait for it to end, then try again.',
  config: ' Fix the config file, then restart the daemon.',
};

export interface FriendlyError {
  status: ContentfulStatusCode;
  text: string;
  /** Not one of ours: the details belong in the daemon log, not on the page. */
  unexpected: boolean;
}

export function friendlyError(error: unknown, redactor: Redact): FriendlyError {
  if (!(error instanceof SwitchyardError)) {
    return {
      status: 500,
      text: 'Something went wrong inside switchyard; the daemon log has the details.',
      unexpected: true,
    };
  }
  const line = redactor.redact(oneLine(error));
  const sentence = line.charAt(0).toUpperCase() + line.slice(1) + (/[.!?]$/.test(line) ? '' : '.');
  return { status: HTTP_STATUS[error.kind], text: sentence + (ADVICE[error.kind] ?? ''), unexpected: false };
}
