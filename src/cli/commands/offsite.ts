import { openOffsiteBucket, parseBackupId } from '../../app/index.js';
import { formatTime } from '../../util/format.js';
import { inputError } from '../../errors.js';
import { parseCommand, type CommonOptions } from '../args.js';
import { cliActor, formatBytes, openApp, table, type Io } from '../io.js';

const USAGE = 'usage: switchyard offsite push [BACKUP_ID] | list | verify NAME --identity FILE';

/** `offsite push|list|verify`: list and verify need only the config and the credentials, no state. */
export async function offsiteCommand(argv: string[], io: Io): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'push') return push(rest, io);
  if (sub === 'list') return list(rest, io);
  if (sub === 'verify') return verify(rest, io);
  throw inputError(sub === undefined ? USAGE : `unknown offsite command "${sub}"; ${USAGE}`);
}

async function push(argv: string[], io: Io): Promise<void> {
  const { common, positionals } = parseCommand(argv, {}, 1);
  const raw = positionals[0];
  const backupId = raw === undefined ? undefined : parseBackupId(raw, 'BACKUP_ID'); // before the config is read
  const outcomes = await openApp(common, io).offsite.push(cliActor(io.env), backupId);
  if (common.json) io.out(JSON.stringify(outcomes));
  else if (outcomes.length === 0) io.out('nothing to upload: every copied backup is off-site');
  else
    for (const o of outcomes)
      io.out(o.ok ? `uploaded ${o.fileName} → ${o.key} (${o.seconds} s)` : `FAILED ${o.fileName}: ${o.error}`);
  if (outcomes.some((o) => !o.ok)) process.exitCode = 1;
}

/** The bucket from the config alone: opening the app would create the state on a fresh host. */
const bucketFrom = (common: CommonOptions, io: Io) =>
  openOffsiteBucket({ config: common.config, env: io.env, redactor: io.redactor });

async function list(argv: string[], io: Io): Promise<void> {
  const { common } = parseCommand(argv, {}, 0);
  const { manifests, refused, problems, strays, signed, bucket, prefix } = await bucketFrom(common, io).list();
  if (common.json) return io.out(JSON.stringify({ backups: manifests, refused, problems, strays, signed }));
  if (manifests.length === 0) io.out(`no switchyard backups in bucket "${bucket}" under "${prefix}"`);
  else {
    io.out(
      table(
        ['NAME', 'CREATED', 'SIZE', 'REASON', 'DATABASE', 'VERSION', 'COMMIT', 'ENCRYPTED'],
        manifests.map((m) => [
          m.fileName,
          formatTime(m.createdAt),
          formatBytes(m.plain.sizeBytes),
          m.reason,
          m.databaseName,
          m.pair?.version ?? '-',
          m.pair?.commit?.slice(0, 7) ?? '-',
          m.object.encryption === 'age' ? 'age' : 'NO',
        ]),
      ),
    );
  }
  for (const p of problems) io.out(`problem: ${p}`);
  if (strays.length)
    io.out(`${strays.length} object(s) under the prefix without a switchyard manifest (not backups; never deleted)`);
  if (!signed) io.out(`warning: ${UNSIGNED}`);
}

const UNSIGNED =
  'manifests are not signed (offsite.signingKeyEnv is not set): anyone holding the bucket key can forge a copy that verifies';

async function verify(argv: string[], io: Io): Promise<void> {
  const { common, values, positionals } = parseCommand(argv, { identity: { type: 'string', short: 'i' } }, 1);
  const name = positionals[0];
  if (!name) throw inputError('offsite verify needs a NAME (see switchyard offsite list) or "latest"');
  const identity = (values.identity as string | undefined) ?? null;
  const report = await bucketFrom(common, io).verify(name, identity);
  const { signed } = report;
  io.out(
    common.json
      ? JSON.stringify(report)
      : `verified ${report.fileName}: ${formatBytes(report.bytes)}, ${signed ? 'manifest signature and ' : ''}both sha256s match, ` +
          `dump reads back in full (download ${report.downloadSeconds} s, read-back ${report.readBackSeconds} s)` +
          (signed ? '' : `\nwarning: ${UNSIGNED}`),
  );
}
