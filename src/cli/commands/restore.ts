import { inputError } from '../../errors.js';
import { parseCommand } from '../args.js';
import { cliActor, openApp, table, type Io } from '../io.js';

/**
 * `restore --offsite latest|NAME --identity FILE [--with-images] [--force]`: the
 * emergency restore from the bucket. Progress goes to stderr, the phase times
 * (the recovery time) to stdout; the state DB is created if this host is new.
 */
export async function restoreCommand(argv: string[], io: Io): Promise<void> {
  const { common, values } = parseCommand(
    argv,
    {
      offsite: { type: 'string' },
      identity: { type: 'string', short: 'i' },
      'with-images': { type: 'boolean' },
      force: { type: 'boolean' },
    },
    0,
  );
  const name = values.offsite as string | undefined;
  if (!name)
    throw inputError(
      'restore needs --offsite latest|NAME (a local backup is restored with `switchyard rollback ID --database-only`)',
    );
  const app = openApp(common, io);
  const started = performance.now();
  const result = await app.offsite.restore(cliActor(io.env), {
    name,
    identityFile: (values.identity as string | undefined) ?? null,
    withImages: Boolean(values['with-images']),
    force: Boolean(values.force),
    onProgress: io.err,
  });
  const total = Math.round(performance.now() - started) / 1000;
  const d = result.deployment;
  if (common.json) io.out(JSON.stringify({ ...result, totalSeconds: total }));
  else {
    io.out(
      table(
        ['PHASE', 'SECONDS'],
        [...result.phases.map((p) => [p.name, p.seconds.toFixed(1)]), ['total', total.toFixed(1)]],
      ),
    );
    io.out(
      d.status === 'succeeded'
        ? `restore ${d.id} succeeded: ${result.manifest.fileName}${d.commit ? ` at ${d.tag ?? d.commit.slice(0, 7)}` : ''}`
        : `restore ${d.id} ${d.status}: ${d.error}`,
    );
  }
  if (d.status !== 'succeeded') process.exitCode = 1;
}
