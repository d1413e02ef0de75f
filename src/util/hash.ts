import { createHash } from 'node:crypto';

/** SHA-256 of a text: how API tokens are stored and compared. */
export const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();
