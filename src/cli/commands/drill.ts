import { drillNow } from '../../backup/service.js';
import { inputError } from '../../errors.js';
import { drillFromOffsite } from '../../offsite/drill.js';
import { parseId } from '../../util/id.js';
import { parseCommand } from '../args.js';
import { cliActor, openOperationContext, type Io } from '../io.js';

// Its own module: `backup` and `backups` do not load the off-site side (S3 client wiring, age).
export async function drillCommand(argv: string[], io: Io): Promise<void> {
  const { common, values, positionals } = parseCommand(
    argv,
    { offsite: { type: 'boolean' }, identity: { type: 'string', short: 'i' } },
    1,
  );
  const raw = positionals[0];
  const offsite = Boolean(values.offsite);
  if (!offsite && values.identity !== undefined) throw inputError('--identity goes with --offsite');
  const backupId = offsite || raw === undefined ? undefined : parseId(raw);
  if (!offsite && raw !== undefined && backupId === undefined)
    throw inputError(`BACKUP_ID must be a positive integer up to ${Number.MAX_SAFE_INTEGER}, got "${raw}"`);
  const ctx = await openOperationContext(common, io);
  try {
    const actor = cliActor(io.env).name;
    const identity = (values.identity as string | undefined) ?? null;
    const report = offsite
      ? await drillFromOffsite(ctx, raw ?? 'latest', identity, actor)
      : await drillNow(ctx, backupId, actor);
    io.out(common.json ? JSON.stringify(report) : report.markdown);
    if (!report.verified) process.exitCode = 1; // a drill that did not verify is a failure to a script
  } finally {
    ctx.store.close();
  }
}
