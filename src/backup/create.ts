import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Context } from '../context.js';
import { inspectDatabase, probeHostTools, type DatabaseTarget, type HostTools, type SqlSession } from '../database/index.js';
import { failed, oneLine } from '../errors.js';
import type { BackupReason, BackupRow } from '../store/index.js';
import { redact } from '../util/redact.js';
import { spawnHost, tailOf, type ToolProcess } from '../util/process.js';
import { backupFileName, tempFileName } from './naming.js';
import { fsyncDir, removeIfPresent } from './fsutil.js';
import { teeToFileHashAndVerifier } from './tee.js';

export interface BackupRequest {
  reason: BackupReason;
  note?: string | null;
  actor: string;
  deploymentId?: number | null;
}

/**
 * Takes one verified backup:
 *   1. journal it in the catalog (status running) under a temporary file name;
 *   2. open a snapshot and stream pg_dump -Fc from it into the temp file, the
 *      sha256 and `pg_restore -f /dev/null` at once;
 *   3. record row counts and schema fingerprint from the same snapshot;
 *   4. fsync, rename into place, fsync the directory, mark it ok.
 * Any failure removes the temp file and records the error; nothing that looks
 * like a backup is left behind. The caller holds the operation lock.
 */
export async function createBackup(ctx: Context, request: BackupRequest): Promise<BackupRow> {
  const { store, log } = ctx;
  const dir = ctx.config.backups.dir;
  const target = ctx.database();
  await ensureBackupsDir(dir);

  const now = new Date();
  const fileName = await freeFileName(ctx, dir, now, target.database, request.reason);
  const tempPath = path.join(dir, tempFileName(fileName));
  const id = store.backups.begin({
    fileName,
    tempName: tempFileName(fileName),
    databaseName: target.database,
    reason: request.reason,
    note: request.note ?? null,
    actor: request.actor,
    createdAt: now.toISOString(),
    deploymentId: request.deploymentId ?? null,
  });
  const blog = log.child({ backup: id, file: fileName });
  blog.info('backup started', { reason: request.reason, database: target.description });

  let session: SqlSession | undefined;
  const running: ToolProcess[] = [];
  try {
    session = await target.session();
    await session.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const snapshot = await session.query('SELECT pg_export_snapshot()');
    const serverMajor = Math.floor(Number(await session.query('SHOW server_version_num')) / 10000);

    // Every probe comes before the first spawn, and every child's output is consumed from the
    // moment it exists: a child that exits while nobody reads it loses its output for good.
    const host = await probeHostTools();
    const file = await fs.open(tempPath, 'wx', 0o600);
    let sizeBytes: number;
    let sha256: string;
    try {
      const verifier = await startVerifier(target, host, serverMajor);
      running.push(verifier);
      const verifyErrors = tailOf(verifier.stderr);
      verifier.stdout.resume();
      const hash = createHash('sha256');
      const sink = teeToFileHashAndVerifier(file, hash, verifier.stdin!);

      const dump = await target.spawn('pg_dump', ['--format=custom', `--snapshot=${snapshot}`, '--no-password']);
      running.push(dump);
      const dumpErrors = tailOf(dump.stderr);
      dump.stderr.on('data', (c: Buffer) => blog.warn('pg_dump', { stderr: c.toString().trim() }));
      await pipeline(dump.stdout, sink); // attached in the same tick as the spawn returned

      const [dumpCode, verifyCode] = await Promise.all([dump.exited, verifier.exited]);
      if (dumpCode !== 0) throw failed(`pg_dump exited with code ${dumpCode}: ${dumpErrors() || 'no error output'}`);
      if (verifyCode !== 0) throw failed(`the dump does not read back (pg_restore exited with code ${verifyCode}): ${verifyErrors()}`);
      sizeBytes = sink.bytes();
      sha256 = hash.digest('hex');
      await file.sync();
    } finally {
      await file.close();
    }

    const facts = await inspectDatabase(session);
    await session.query('COMMIT');

    await fs.rename(tempPath, path.join(dir, fileName));
    await fsyncDir(dir);
    store.backups.succeed(id, { sizeBytes, sha256, ...facts });
    blog.info('backup finished', { sizeBytes, sha256 });
    store.audit.record({ actor: request.actor, action: 'backup.create', target: fileName, outcome: 'ok' });
    ctx.notifier.send({ event: 'backup', ok: true, summary: `backup ${fileName} (${request.reason}) verified, ${sizeBytes} bytes`, details: { id, fileName, reason: request.reason, sha256 } });
    return store.backups.get(id)!;
  } catch (e) {
    for (const proc of running) proc.kill();
    await removeIfPresent(tempPath);
    const message = redact(describeFailure(e, dir));
    store.backups.fail(id, message);
    store.audit.record({ actor: request.actor, action: 'backup.create', target: fileName, outcome: 'failed', detail: message });
    blog.error('backup failed', { error: message });
    ctx.notifier.send({ event: 'backup', ok: false, summary: `${request.reason} backup failed: ${message}`, details: { id, fileName, reason: request.reason } });
    throw failed(`backup failed: ${message}`, e);
  } finally {
    await session?.close();
  }
}

/**
 * The read-back runs on the host when its pg_restore can read this server's
 * dumps: in service mode that spares pushing the whole dump back into the
 * container. Otherwise it runs where pg_dump ran, whose version always matches.
 */
async function startVerifier(target: DatabaseTarget, host: HostTools, serverMajor: number): Promise<ToolProcess> {
  return host.pgRestoreMajor !== null && host.pgRestoreMajor >= serverMajor
    ? spawnHost('pg_restore', ['--file=/dev/null'], { stdin: true })
    : target.spawn('pg_restore', ['--file=/dev/null'], { stdin: true });
}

async function ensureBackupsDir(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await fs.access(dir, fs.constants.W_OK);
  } catch (e) {
    throw failed(`backups dir ${dir} is not writable: ${(e as NodeJS.ErrnoException).code ?? oneLine(e)}`);
  }
}

/** Two backups in the same second (or a stray file of that name) get a suffix rather than collide. */
async function freeFileName(ctx: Context, dir: string, date: Date, database: string, reason: BackupReason): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const name = backupFileName(date, database, reason, attempt);
    const onDisk = await fs.stat(path.join(dir, name)).then(() => true, () => false);
    if (!onDisk && !ctx.store.backups.fileNameTaken(name)) return name;
  }
}

function describeFailure(e: unknown, dir: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') return `no space left in backups dir ${dir}`;
  if (code === 'EDQUOT') return `disk quota exceeded in backups dir ${dir}`;
  return oneLine(e);
}
