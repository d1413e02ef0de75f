import path from 'node:path';
import type { DrillPorts } from './ports.js';
import { reportOutcome } from '../ops/report.js';
import { compareFacts, inspectDatabase, quoteIdent } from '../database/index.js';
import { notFound, oneLine } from '../errors.js';
import type { BackupRow, DrillRecord, RowCounts } from '../store/index.js';
import { sha256File } from './checksum.js';
import { restoreBackupFile } from './pgRestore.js';

export interface DrillReport extends DrillRecord {
  backupFile: string;
  backupAgeHours: number;
  scratchDatabase: string;
  markdown: string;
}

/**
 * The runbook's disaster-recovery drill, automated: check the file's sha256,
 * restore it into `<name>_dr_test`, compare row counts and schema fingerprint
 * with what was recorded at dump time, drop the scratch database, and keep the
 * result with the backup. The caller holds the operation lock.
 */
export async function runDrill(ports: DrillPorts, backupId: number | undefined, actor: string): Promise<DrillReport> {
  const backup = pickBackup(ports, backupId);
  const target = ports.database();
  const scratch = `${target.database}_dr_test`;
  const startedAt = ports.clock.now();
  const issues: string[] = [];
  let restoreMs: number | null = null;
  let restoredRowCounts: RowCounts | null = null;

  const file = path.join(ports.config.backups.dir, backup.fileName);
  const actual = await sha256File(file).catch((e: NodeJS.ErrnoException) => {
    issues.push(`backup file ${backup.fileName} cannot be read: ${e.code ?? oneLine(e)}`);
    return undefined;
  });
  if (actual !== undefined && actual !== backup.sha256) {
    issues.push(`sha256 mismatch: catalog ${backup.sha256?.slice(0, 12)}, file ${actual.slice(0, 12)}`);
  }

  if (issues.length === 0) {
    const admin = await target.session('postgres');
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(scratch)} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${quoteIdent(scratch)}`);
      const t0 = performance.now();
      const restoreError = await restoreBackupFile(target, scratch, file, ['--no-owner', '--no-privileges']).then(
        () => null,
        (e: unknown) => ports.redactor.redact(oneLine(e)), // kept with the drill and shown in its report
      );
      restoreMs = Math.round(performance.now() - t0);
      if (restoreError) {
        issues.push(restoreError);
      } else {
        const restored = await target.session(scratch);
        try {
          const facts = await inspectDatabase(restored);
          restoredRowCounts = facts.rowCounts;
          issues.push(
            ...compareFacts(
              { rowCounts: backup.rowCounts ?? {}, schemaFingerprint: backup.schemaFingerprint ?? '' },
              facts,
            ),
          );
        } finally {
          await restored.close();
        }
      }
    } catch (e) {
      issues.push(`drill could not run: ${ports.redactor.redact(oneLine(e))}`);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(scratch)} WITH (FORCE)`).catch((e) => {
        issues.push(`scratch database ${scratch} could not be dropped: ${ports.redactor.redact(oneLine(e))}`);
      });
      await admin.close();
    }
  }

  const verified = issues.length === 0;
  const record = ports.store.drills.record({
    backupId: backup.id,
    startedAt: startedAt.toISOString(),
    restoreMs,
    verified,
    issues,
    actor,
    restoredRowCounts,
  });
  reportOutcome(
    {
      audit: ports.store.audit,
      notify: (n) => ports.notifier.send(n),
      log: ports.log,
      redactor: ports.redactor,
      clock: ports.clock,
    },
    {
      audit: {
        actor,
        action: 'backup.drill',
        target: backup.fileName,
        ok: verified,
        detail: verified ? null : issues.join('; '),
      },
      notification: {
        event: 'drill',
        ok: verified,
        summary: verified
          ? `DR drill of ${backup.fileName}: data verified`
          : `DR drill of ${backup.fileName}: NOT verified (${issues[0]})`,
        details: { backupId: backup.id, verified, restoreMs, issues },
      },
      log: { level: 'info', message: 'drill finished', fields: { backup: backup.id, verified, restoreMs, issues } },
    },
  );
  const backupAgeHours = (startedAt.getTime() - Date.parse(backup.createdAt)) / 3_600_000;
  const report = { ...record, backupFile: backup.fileName, backupAgeHours, scratchDatabase: scratch };
  return { ...report, markdown: drillMarkdown(report) };
}

function pickBackup(ports: DrillPorts, backupId: number | undefined): BackupRow {
  if (backupId === undefined) {
    const newest = ports.store.backups.list({ status: 'ok' })[0];
    if (!newest) throw notFound('there is no backup to drill; take one with `switchyard backup`');
    return newest;
  }
  const backup = ports.store.backups.get(backupId);
  if (!backup) throw notFound(`backup ${backupId} does not exist`);
  if (backup.status !== 'ok') throw notFound(`backup ${backupId} is ${backup.status}, not a usable backup`);
  return backup;
}

export function drillMarkdown(r: Omit<DrillReport, 'markdown'>): string {
  const restore = r.restoreMs === null ? 'not restored' : restoreTime(r.restoreMs);
  return [
    `## DR Drill Results - ${r.startedAt.slice(0, 10)}`,
    '',
    `**Backup Used**: ${r.backupFile}`,
    `**Backup Age**: ${r.backupAgeHours.toFixed(1)} hours`,
    `**Restore Time**: ${restore}`,
    `**Data Verified**: ${r.verified ? 'yes' : 'no'}`,
    `**Issues Found**: ${r.issues.length ? '' : 'none'}`,
    ...r.issues.map((i) => `- ${i}`),
    `**Conducted By**: ${r.actor}`,
    '',
  ].join('\n');
}

/** "0.35 s", "12.3 s", "4.2 minutes (252 s)": a sub-second restore no longer reads "0.0 minutes". */
export function restoreTime(ms: number): string {
  if (ms < 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} minutes (${Math.round(ms / 1000)} s)`;
}
