import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { Readable, type Writable } from 'node:stream';

/**
 * A running tool, wherever it runs (on the host or inside a container): its
 * streams, its exit code, and a way to stop it. No shell is ever involved.
 */
export interface ToolProcess {
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Present when the process was started with stdin attached. */
  readonly stdin: Writable | null;
  /** Resolves with the exit code; a signal death becomes 128 + signal number. */
  readonly exited: Promise<number>;
  kill(): void;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGPIPE: 13, SIGTERM: 15 };

/**
 * What every child may inherit from the daemon: where programs are, the locale, the home
 * directory, and how to reach the Docker engine (docker and compose read DOCKER_* and COMPOSE_*).
 * Nothing else: the admin token, registry and database passwords stay in this process.
 */
const INHERITED =
  /^(PATH|HOME|LANG|LANGUAGE|LC_[A-Z_]+|TZ|TMPDIR|DOCKER_(HOST|CONFIG|CONTEXT|TLS_VERIFY|CERT_PATH)|COMPOSE_[A-Z_]+)$/;

/**
 * The one place a child's environment is built: the inherited basics plus the child's own variables
 * (its PG* connection, its own credentials), which win over anything inherited.
 */
export function childEnv(
  own: Record<string, string | undefined> = {},
  from: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(from)) {
    if (value !== undefined && INHERITED.test(name)) env[name] = value;
  }
  for (const [name, value] of Object.entries(own)) {
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * `env` holds the child's own variables only; the inherited basics come from `childEnv`.
 * `stdin`: true for a pipe to write to, or another host child's stdout, which
 * this child then reads directly (a kernel pipe from one to the other, no copy
 * through this process; our end is closed here, so EOF comes when the writer ends).
 * `stdout`: a file descriptor the child writes its output to instead of a pipe to
 * this process (a named pipe's write end); it is closed here once the child has it,
 * and the returned `stdout` is empty.
 * `nice`: its scheduling priority, for work that must not take the CPU from the
 * database and the app (a backup's compression and read-back).
 */
export function spawnHost(
  command: string,
  args: readonly string[],
  options: {
    env?: Record<string, string | undefined>;
    stdin?: boolean | Readable;
    stdout?: number;
    cwd?: string;
    nice?: number;
  } = {},
): ToolProcess {
  const from = typeof options.stdin === 'object' ? options.stdin : undefined;
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(command, args, {
      env: childEnv(options.env),
      cwd: options.cwd,
      stdio: [from ?? (options.stdin ? 'pipe' : 'ignore'), options.stdout ?? 'pipe', 'pipe'],
    });
  } finally {
    if (options.stdout !== undefined) fs.closeSync(options.stdout);
  }
  from?.destroy();
  if (options.nice && child.pid) {
    try {
      os.setPriority(child.pid, options.nice);
    } catch {
      /* already gone: its exit code says how it went */
    }
  }
  const exited = new Promise<number>((resolve) => {
    child.once('error', (e) => {
      child.stderr?.emit('data', Buffer.from(`${command}: ${(e as NodeJS.ErrnoException).code ?? e.message}\n`));
      resolve(127);
    });
    child.once('close', (code, signal) => resolve(code ?? 128 + (signal ? (SIGNALS[signal] ?? 0) : 0)));
  });
  return {
    stdout: child.stdout ?? Readable.from([]),
    stderr: child.stderr!,
    stdin: from ? null : (child.stdin ?? null),
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}

/** Keeps the last `limit` bytes of a stream as text: enough for an error message, never unbounded. */
export function tailOf(stream: Readable, limit = 4096): () => string {
  let buffered = '';
  stream.on('data', (chunk: Buffer | string) => {
    buffered = (buffered + chunk.toString()).slice(-limit);
  });
  return () => buffered.trim();
}

/** Runs a tool to completion and collects its output. */
export async function collect(
  proc: ToolProcess,
  input?: string | Buffer,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: Buffer[] = [];
  proc.stdout.on('data', (c: Buffer) => out.push(c));
  const stderr = tailOf(proc.stderr, 16384);
  if (proc.stdin) proc.stdin.end(input ?? '');
  const code = await proc.exited;
  return { code, stdout: Buffer.concat(out).toString(), stderr: stderr() };
}

/**
 * Whether a pid on this host is alive (EPERM: alive, owned by someone else). A zombie is dead: a CLI killed by
 * SIGKILL whose parent has not reaped it yet still answers kill(pid, 0), and would hold the lock forever.
 */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/** /proc/PID/stat's state field (after the parenthesised name, which may hold spaces): Z or X is dead. */
function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return false; // no /proc: kill's answer stands
  }
}
