import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { failed, inputError } from '../errors.js';
import { spawnHost, tailOf, type ToolProcess } from '../util/process.js';

/**
 * The age format through Debian's `age` binary, so that the runbook's hand path
 * (`age -d -i key.txt`) always decrypts what switchyard uploads. Recipients are
 * public keys (fine in argv); the child gets only PATH, nothing of ours.
 */
const childEnv = () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin' });

export function startEncrypt(recipients: readonly string[]): ToolProcess {
  return spawnHost(
    'age',
    recipients.flatMap((r) => ['-r', r]),
    { stdin: true, env: childEnv() },
  );
}

export function startDecrypt(identityFile: string): ToolProcess {
  return spawnHost('age', ['--decrypt', '--identity', identityFile], { stdin: true, env: childEnv() });
}

/** age's exit status as one line a human can act on. */
export async function ageOutcome(proc: ToolProcess, what: string, identityFile?: string): Promise<void> {
  const errors = tailOf(proc.stderr);
  const code = await proc.exited;
  if (code === 0) return;
  const text =
    errors()
      .replace(/^age: (error: )?/gm, '')
      .split('\n')[0] ?? '';
  if (code === 127) throw failed(`age is not installed (apt-get install age): ${text}`);
  if (identityFile && /no identity matched/i.test(text))
    throw inputError(`identity file ${identityFile} does not match any recipient of ${what}`);
  if (identityFile && /(failed to open|no such file|read identit|malformed|unknown identity)/i.test(text)) {
    throw inputError(`identity file ${identityFile} cannot be used: ${text}`);
  }
  throw failed(`age failed on ${what} (exit ${code}): ${text || 'no error output'}`);
}

/** A pass-through that hashes and counts what flows by. */
export class HashingStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;

  private hex: string | undefined;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.add(chunk);
    done(null, chunk);
  }

  /** Counts bytes that did not flow through (read by the caller directly). */
  add(chunk: Buffer): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }

  /** The hex sha256 of everything seen; final once asked. */
  sha256(): string {
    return (this.hex ??= this.hash.digest('hex'));
  }
}
