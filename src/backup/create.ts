import fs from 'node:fs/promises';
import path from 'node:path';
import type { BackupPorts } from './ports.js';
import { readColumns, type TableColumns } from '../carryover/catalog.js';
import { reportOutcome, type ReportPorts } from '../ops/report.js';
import {
  inspectDatabase,
  onDatabase,
  probeHostTools,
  serverMajor,
  type DatabaseFacts,
  type SqlSession,
} from '../database/index.js';
import { failed, oneLine } from '../errors.js';
import type { BackupReason, BackupRow } from '../store/index.js';
import type { ToolProcess } from '../util/process.js';
import { backupFileName, tempFileName } from './naming.js';
import { fsyncDir, removeIfPresent } from '../util/fsutil.js';
import { formatFor, type BackupFormat } from './format.js';
import { planDump, writeVerifiedDump, type WrittenDump } from './writeDump.js';

export interface BackupRequest {
  reason: BackupReason;
  note?: string | null;
  actor: string;
  deploymentId?: number | null;
  /** Another database of the same server to dump (a kept one: src/backup/kept.ts), recorded as the live one's backup. */
  from?: string;
}

/**
 * Takes one verified backup:
 *   1. journal it in the catalog (status running) under a temporary file name;
 *   2. open a snapshot and stream pg_dump -Fc from it into `pg_restore -f /dev/null`
 *      and (through zstd, per backups.compression) into the temp file and its sha256,
 *      in one pass (writeDump.ts);
 *   3. record row counts and schema fingerprint from the same snapshot;
 *   4. fsync, rename into place, fsync the directory, mark it ok.
 * Any failure removes the temp file and records the error; nothing that looks
 * like a backup is left behind. The caller holds the operation lock.
 */
export async function createBackup(ports: BackupPorts, request: BackupRequest): Promise<BackupRow> {
  const { store, log } = ports;
  const dir = ports.config.backups.dir;
  const live = ports.database();
  const target = request.from ? onDatabase(live, request.from) : live;
  await ensureBackupsDir(dir);

  const now = ports.clock.now(); // the file is named after it
  const format = formatFor(ports.config.backups.compression.method);
  const fileName = await freeFileName(ports, dir, now, live.database, request.reason, format);
  const tempPath = path.join(dir, tempFileName(fileName));
  const id = store.backups.begin({
    fileName,
    tempName: tempFileName(fileName),
    databaseName: live.database,
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
    const reached = await target.reach(); // the session, pg_dump and the read-back all go one way
    // Probed while the session opens, and awaited before the first spawn (see writeVerifiedDump). It never rejects.
    const probing = probeHostTools(reached.readsHostFiles);
    session = await reached.session();
    await session.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const snapshot = await session.query('SELECT pg_export_snapshot()');
    const server = await serverMajor(session);

    const plan = planDump(ports.config.backups.compression, await probing, server);
    const file = await fs.open(tempPath, 'wx', 0o600);
    let written: WrittenDump;
    let facts: DatabaseFacts & { columns: TableColumns };
    try {
      written = await writeVerifiedDump(reached, plan, snapshot, file, running, (stderr) =>
        blog.warn('pg_dump', { stderr }),
      );
      // The counts wait for the dump (a query failing here, on a table this role may not read, ends the
      // snapshot pg_dump imports), and go on while the file reaches the disk.
      const open = session;
      [facts] = await Promise.all([
        inspectDatabase(open).then(async (f) => ({ ...f, columns: await readColumns(open) })),
        file.sync(),
      ]);
    } finally {
      await file.close();
    }
    const { sizeBytes, sha256, via } = written;
    await session.query('COMMIT');

    await fs.rename(tempPath, path.join(dir, fileName));
    await fsyncDir(dir);
    store.backups.succeed(id, { sizeBytes, sha256, ...facts }, ports.clock.now());
    reportOutcome(reportPorts(ports, blog), {
      audit: { actor: request.actor, action: 'backup.create', target: fileName, ok: true, detail: null },
      notification: {
        event: 'backup',
        ok: true,
        summary: `backup ${fileName} (${request.reason}) verified, ${sizeBytes} bytes`,
        details: { id, fileName, reason: request.reason, sha256 },
      },
      log: {
        level: 'info',
        message: 'backup finished',
        fields: { sizeBytes, sha256, via, reached: reached.description },
      },
    });
    const done = store.backups.get(id)!;
    ports.backupDone.emit(done); // the one place a backup is recorded done: its off-site copy starts now
    return done;
  } catch (e) {
    for (const proc of running) proc.kill();
    await removeIfPresent(tempPath);
    const message = ports.redactor.redact(describeFailure(e, dir));
    store.backups.fail(id, message, ports.clock.now());
    reportOutcome(reportPorts(ports, blog), {
      audit: { actor: request.actor, action: 'backup.create', target: fileName, ok: false, detail: message },
      notification: {
        event: 'backup',
        ok: false,
        summary: `${request.reason} backup failed: ${message}`,
        details: { id, fileName, reason: request.reason },
      },
      log: { level: 'error', message: 'backup failed', fields: { error: message } },
    });
    throw failed(`backup failed: ${message}`, e);
  } finally {
    await session?.close();
  }
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
async function freeFileName(
  ports: BackupPorts,
  dir: string,
  date: Date,
  database: string,
  reason: BackupReason,
  format: BackupFormat,
): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const name = backupFileName(date, database, reason, attempt, format);
    const onDisk = await fs.stat(path.join(dir, name)).then(
      () => true,
      () => false,
    );
    if (!onDisk && !ports.store.backups.fileNameTaken(name)) return name;
  }
}

function describeFailure(e: unknown, dir: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') return `no space left in backups dir ${dir}`;
  if (code === 'EDQUOT') return `disk quota exceeded in backups dir ${dir}`;
  return oneLine(e);
}

const reportPorts = (ports: BackupPorts, log: ReportPorts['log']): ReportPorts => ({
  audit: ports.store.audit,
  notify: (n) => ports.notifier.send(n),
  log,
  redactor: ports.redactor,
  clock: ports.clock,
});
