import type { OffsiteStatus } from '../../app/index.js';
import { formatTime } from '../../util/format.js';
import { parseCommand } from '../args.js';
import { cliActor, formatBytes, openApp, table, type Io } from '../io.js';

export async function backupCommand(argv: string[], io: Io): Promise<void> {
  const { common, values } = parseCommand(argv, { reason: { type: 'string' } }, 0);
  const app = openApp(common, io);
  const backup = await app.backups.backUp(cliActor(io.env), { note: values.reason as string | undefined });
  io.out(
    common.json
      ? JSON.stringify(backup)
      : `backup ${backup.id} ok: ${backup.fileName} (${formatBytes(backup.sizeBytes)}, sha256 ${backup.sha256})`,
  );
}

export async function backupsCommand(argv: string[], io: Io): Promise<void> {
  const { common } = parseCommand(argv, {}, 0);
  const backups = openApp(common, io).backups.list();
  if (common.json) return io.out(JSON.stringify(backups));
  if (backups.length === 0) return io.out('no backups yet');
  io.out(
    table(
      ['ID', 'FILE', 'CREATED', 'SIZE', 'REASON', 'STATUS', 'PG', 'DRILL', 'OFFSITE', 'SHA256'],
      backups.map((b) => [
        String(b.id),
        b.fileName,
        formatTime(b.createdAt),
        formatBytes(b.sizeBytes),
        b.reason,
        b.status === 'failed' ? `failed: ${b.error ?? ''}`.slice(0, 60) : b.status,
        b.serverVersion ?? '-',
        b.lastDrill ? (b.lastDrill.verified ? 'verified' : 'NOT verified') : '-',
        offsiteCell(b.offsite),
        b.sha256?.slice(0, 12) ?? '-',
      ]),
    ),
  );
}

/** uploaded / pending / uploading / failed (attempts): the off-site copy at a glance. */
export function offsiteCell(o: OffsiteStatus | null): string {
  if (!o) return '-';
  if (o.state === 'failed') return `failed (${o.attempts}x)`;
  return o.state;
}
