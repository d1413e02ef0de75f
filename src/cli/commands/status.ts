import type { AppState, DaemonProbe, HostStatus } from '../../app/index.js';
import { formatTime, shortDigest, timeOrDash } from '../../util/format.js';
import { parseCommand } from '../args.js';
import { openApp, table, type Io } from '../io.js';

/**
 * `switchyard status`'s exit codes, so a monitor can tell them apart: the app's state comes first (an app that is not
 * healthy is 1 whatever the daemon does), then the daemon (69, EX_UNAVAILABLE: no schedule, no UI, no API).
 */
export const STATUS_EXIT = { healthy: 0, notHealthy: 1, daemonDown: 69 } as const;

export function statusExitCode(app: Pick<AppState, 'state'>, daemon: Pick<DaemonProbe, 'running'>): number {
  if (app.state !== 'healthy') return STATUS_EXIT.notHealthy;
  return daemon.running ? STATUS_EXIT.healthy : STATUS_EXIT.daemonDown;
}

/**
 * What is deployed, what runs and the app's state, read here from SQLite and Docker (it works without the daemon),
 * and whether the daemon answers at `server.listen`.
 */
export async function statusCommand(argv: string[], io: Io): Promise<void> {
  const { common } = parseCommand(argv, {}, 0);
  const s = await openApp(common, io).overview.status();
  const { app, daemon } = s;
  process.exitCode = statusExitCode(app, daemon);
  if (common.json) return io.out(JSON.stringify({ ...(s.status ?? { error: s.error }), app, daemon }));
  if (s.status) printStatus(s, io);
  io.out(`state: ${app.state} (${app.headline})`);
  for (const problem of app.problems) io.out(`  ${problem}`);
  io.out(
    daemon.running
      ? `daemon: running at ${daemon.url} (switchyard ${daemon.version})`
      : `daemon: not running (${daemon.why}): no scheduled backups, no web UI or API until it runs again`,
  );
}

/** A task runs the pinned digest: yes, no, or - when switchyard pinned nothing for the service. */
const PINNED: Record<string, string> = { true: 'yes', false: 'no', null: '-' };

function printStatus({ status, deployedName }: HostStatus, io: Io): void {
  if (!status) return;
  const d = status.deployment;
  io.out(
    d
      ? `deployed: ${deployedName}, deployment ${d.id}${d.ref && d.ref !== d.tag ? ` (${d.ref})` : ''}, by ${d.actor} at ${timeOrDash(d.finishedAt)}`
      : 'deployed: nothing yet (switchyard has not deployed this host)',
  );
  io.out(
    table(
      ['SERVICE', 'CONTAINER', 'STATE', 'HEALTH', 'IMAGE'],
      status.services.flatMap((s) =>
        (s.containers.length ? s.containers : [{ name: '-', state: '-', health: '-', image: '-' }]).map((c) => [
          s.name,
          c.name,
          c.state,
          c.health,
          c.image,
        ]),
      ),
    ),
  );
  if (status.nodes)
    io.out(
      table(
        ['NODE', 'SERVICE', 'TASK', 'DIGEST', 'PINNED'],
        status.nodes.map((t) => [t.node, t.service, t.state, shortDigest(t.digest), PINNED[String(t.pinned)]!]),
      ),
    );
  for (const line of status.drift) io.out(`DRIFT: ${line}`);
  for (const d of status.recovered)
    io.out(
      `recovered: deployment ${d.id} (${d.kind} ${d.ref ?? '-'}) ${d.status} at ${timeOrDash(d.finishedAt)}: ${d.error}`,
    );
  const op = status.operation;
  if (op?.state === 'running') io.out(`running: ${op.operation} (pid ${op.pid}) since ${formatTime(op.acquiredAt)}`);
  if (op?.state === 'orphaned')
    io.out(
      `orphaned: ${op.operation}${op.pid === null ? '' : ` (pid ${op.pid}, gone)`} since ${formatTime(op.acquiredAt)}; ` +
        'the next operation recovers it first, or run switchyard recover',
    );
}
