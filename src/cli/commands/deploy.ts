import os from 'node:os';
import { formatTime } from '../../util/format.js';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  type CarryOverReport,
  type Deployment,
  type Deployments,
  describeCarryOver,
  type FailureReport,
  parseDeployInput,
  parseRollbackInput,
  type StartedDeployment,
  versionName,
} from '../../app/index.js';
import { failed, inputError } from '../../errors.js';
import { deployPlanText, rollbackPlanText } from '../plan.js';
import { parseCommand, type CommonOptions } from '../args.js';
import { cliActor, openApp, table, type Io } from '../io.js';

/**
 * --dry-run: builds the plan changing nothing (no lock, no crash recovery, no pull, no dump, no checkout) and
 * prints it; a plan with blockers exits 1, as the operation would be refused.
 */
async function dryRun<P extends { blockers: readonly unknown[] }>(
  common: CommonOptions,
  io: Io,
  plan: (deployments: Deployments) => Promise<P>,
  text: (plan: P) => string,
): Promise<void> {
  const p = await plan(openApp(common, io).deployments);
  io.out(common.json ? JSON.stringify({ plan: p }) : text(p));
  if (p.blockers.length) process.exitCode = 1;
}

/**
 * `switchyard deploy REF`: runs the deployment in this process and prints its
 * steps on stderr as they happen. --detach hands it to a background switchyard
 * process and prints only the deployment id.
 */
export async function deployCommand(argv: string[], io: Io): Promise<void> {
  const { common, values, positionals } = parseCommand(
    argv,
    {
      detach: { type: 'boolean' },
      'detached-child': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      current: { type: 'boolean' },
    },
    1,
  );
  const ref = positionals[0];
  const current = values.current === true;
  if (!ref && !current) throw inputError('usage: switchyard deploy REF (a tag, branch or commit sha) | --current');
  parseDeployInput({ ref, current }); // bad input is refused here, not by a background child that dies
  if (values.detach && values['dry-run']) throw inputError('--detach and --dry-run exclude each other');
  if (current && values['dry-run']) throw inputError('--current and --dry-run exclude each other');
  if (values['dry-run']) return dryRun(common, io, (d) => d.deployPlan(ref, { versions: true }), deployPlanText);
  if (values.detach) return detach('deploy', argv, io, common.json);

  const { deployments } = openApp(common, io);
  const started = await deployments.deploy(cliActor(io.env), { ref, current });
  await follow(deployments, started, values['detached-child'] === true, common.json, io);
}

/** `switchyard rollback DEPLOYMENT_ID [--images-only | --database-only] [--carry-over inserts|none]`. */
export async function rollbackCommand(argv: string[], io: Io): Promise<void> {
  const { common, values, positionals } = parseCommand(
    argv,
    {
      'images-only': { type: 'boolean' },
      'database-only': { type: 'boolean' },
      detach: { type: 'boolean' },
      'detached-child': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      'carry-over': { type: 'string' },
    },
    1,
  );
  const id = positionals[0];
  if (id === undefined) throw inputError('usage: switchyard rollback DEPLOYMENT_ID [--images-only | --database-only]');
  if (values.detach && values['dry-run']) throw inputError('--detach and --dry-run exclude each other');
  const input = {
    id,
    imagesOnly: values['images-only'] === true,
    databaseOnly: values['database-only'] === true,
    carryOver: values['carry-over'] as string | undefined,
  };
  if (values['dry-run']) return dryRun(common, io, (d) => d.rollbackPlan(input), rollbackPlanText);
  if (values.detach) {
    parseRollbackInput(input); // bad input is refused here, not by a background child that dies
    return detach('rollback', argv, io, common.json);
  }
  const { deployments } = openApp(common, io);
  const started = await deployments.rollback(cliActor(io.env), input);
  await follow(deployments, started, values['detached-child'] === true, common.json, io);
}

/** Prints the steps of a running operation on stderr, then its record on stdout; fails unless it succeeded. */
async function follow(
  deployments: Deployments,
  started: StartedDeployment,
  detachedChild: boolean,
  json: boolean,
  io: Io,
): Promise<void> {
  if (detachedChild) {
    io.out(JSON.stringify({ id: started.id }));
    await started.done;
    return;
  }
  // Ctrl-C, systemd's SIGTERM or a dropped SSH session's SIGHUP: finish the running step, stop at the boundary;
  // the next operation recovers. A second Ctrl-C is the impatient operator's way out; SIGTERM and SIGHUP never
  // interrupt a step.
  const stop = (signal: NodeJS.Signals) => deployments.requestStop(signal);
  process.once('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  io.err(`deployment ${started.id} started`);
  deployments.subscribe(started.id, (e) => {
    if (e.type === 'step' && e.step.status !== 'running') {
      const took = e.step.finishedAt
        ? ` (${((Date.parse(e.step.finishedAt) - Date.parse(e.step.startedAt)) / 1000).toFixed(1)}s)`
        : '';
      io.err(`  ${e.step.status.padEnd(7)} ${e.step.name}${took}${e.step.error ? `: ${e.step.error}` : ''}`);
    }
  });
  const ended = await started.finished;
  // Done for the user; a rollback's safety backup still runs (its steps show above), and this process runs it.
  const kept = deployments.steps(ended.id).some((s) => s.name === 'swap database' && s.status === 'ok');
  if (ended.status === 'succeeded' && deployments.stopped() === undefined && kept)
    io.err(`deployment ${ended.id} succeeded; the replaced database is being dumped as its safety backup`);
  const result = await started.done;
  const stopped = deployments.stopped();
  if (stopped) {
    // Stopped at a step boundary: the record stays running, as after a SIGKILL there; the next operation recovers.
    const { signal } = stopped;
    io.err(`switchyard: stopping before step "${stopped.before}" (${signal}); the next operation recovers`);
    process.exit(128 + (os.constants.signals[signal as NodeJS.Signals] ?? 15));
  }
  io.out(
    json
      ? JSON.stringify(result)
      : `deployment ${result.id} ${result.status}: ${result.ref} (${result.commit?.slice(0, 7) ?? '-'})`,
  );
  if (result.status !== 'succeeded') throw failed(result.error ?? `deployment ${result.id} ${result.status}`);
}

async function detach(command: 'deploy' | 'rollback', argv: string[], io: Io, json: boolean): Promise<void> {
  const args = [process.argv[1]!, command, ...argv.filter((a) => a !== '--detach'), '--detached-child'];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'ignore'], env: io.env });
  const first = await new Promise<string | undefined>((resolve) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', () => resolve(undefined));
  });
  child.stdout!.destroy();
  child.unref();
  const id = first ? (JSON.parse(first) as { id?: number }).id : undefined;
  if (!id) throw failed('the background deployment did not start (run without --detach to see why)');
  io.out(json ? JSON.stringify({ id }) : `deployment ${id} started; follow it with: switchyard deployments ${id}`);
}

export async function deploymentsCommand(argv: string[], io: Io): Promise<void> {
  const { common, positionals } = parseCommand(argv, {}, 1);
  const { deployments } = openApp(common, io);
  if (positionals[0] !== undefined) {
    const { failure, failures, deployment, steps, carryOver } = deployments.detail(positionals[0]);
    if (common.json) return io.out(JSON.stringify({ failure, failures, deployment, steps, carryOver }));
    io.out(`${describe(deployment)}${deployment.error ? `\n${deployment.error}` : ''}\n`);
    for (const f of failures) io.out(describeFailure(f));
    if (carryOver) io.out(`${carryOverText(carryOver)}\n`);
    io.out(
      table(
        ['#', 'STEP', 'STATUS', 'STARTED', 'ERROR'],
        steps.map((s) => [String(s.seq), s.name, s.status, formatTime(s.startedAt).slice(11), s.error ?? '']),
      ),
    );
    return;
  }
  const list = deployments.list(50);
  if (common.json) return io.out(JSON.stringify(list));
  if (list.length === 0) return io.out('no deployments yet');
  const tags = await deployments.tagNames();
  io.out(
    table(
      ['ID', 'KIND', 'REF', 'VERSION', 'COMMIT', 'STATUS', 'BY', 'STARTED', 'BACKUP'],
      list.map((d) => [
        String(d.id),
        d.kind,
        d.ref ?? '-',
        versionName(d.commit, tags, d.tag),
        d.commit?.slice(0, 7) ?? '-',
        d.status,
        d.actor,
        formatTime(d.createdAt),
        d.backupId ? String(d.backupId) : '-',
      ]),
    ),
  );
}

const describe = (d: Deployment) =>
  `deployment ${d.id} (${d.kind}) ${d.status}: ${d.ref ?? '-'} ${d.commit?.slice(0, 7) ?? ''} by ${d.actor} at ${formatTime(d.createdAt)}`;

/** Why it failed, before the steps: each failing container's reason, health checks and last log lines. */
function describeFailure(report: FailureReport): string {
  const parts = [`WHY IT FAILED (step ${report.step}): ${report.headline}`];
  for (const c of report.containers) {
    parts.push(`\n== service ${c.service}, container ${c.name}: ${c.reason}`);
    for (const h of c.healthChecks)
      parts.push(
        `health check ${formatTime(h.at)}: exit ${h.exitCode}${h.output ? `: ${h.output.replace(/\s*\n\s*/g, ' | ')}` : ''}`,
      );
    parts.push(
      `-- last ${c.logs.length} log lines --`,
      ...(c.logs.length ? c.logs : ['(the container wrote nothing)']),
    );
  }
  return `${parts.join('\n')}\n`;
}

/** The carry-over of a rollback: its totals, then per table what was carried, left over, and why. */
function carryOverText(report: CarryOverReport): string {
  if (report.tables.length === 0) return describeCarryOver(report);
  return `${describeCarryOver(report)}\n${table(
    ['TABLE', 'CARRIED', 'LEFT OVER', 'UPDATED', 'DELETED', 'WHY'],
    report.tables.map((t) => [
      t.table,
      String(t.carried),
      String(t.leftover),
      String(t.updated),
      String(t.deleted),
      t.reasons.join('; '),
    ]),
  )}`;
}
