import { parseBackupId } from '../../app/index.js';
import { inputError } from '../../errors.js';
import { parseCommand } from '../args.js';
import { cliActor, openApp, type Io } from '../io.js';

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
  // Checked before the config is read: a bad argument is the answer whatever the config says.
  const backupId = offsite || raw === undefined ? undefined : parseBackupId(raw, 'BACKUP_ID');
  const app = openApp(common, io);
  const actor = cliActor(io.env);
  const identityFile = (values.identity as string | undefined) ?? null;
  const report = offsite
    ? await app.offsite.drill(actor, { name: raw, identityFile })
    : await app.backups.drill(actor, backupId);
  io.out(common.json ? JSON.stringify(report) : report.markdown);
  if (!report.verified) process.exitCode = 1; // a drill that did not verify is a failure to a script
}
