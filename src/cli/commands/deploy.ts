import os from 'node:os';
import { formatTime } from '../../util/format.js';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { planDeploy, planRollback, type StartedDeployment } from '../../deploy/index.js';
import { startDeploy, startRestart, startRollback } from '../../app/ports/deploy.js';
import { failed, inputError, notFound } from '../../errors.js';
import { deployPlanText, rollbackPlanText } from '../plan.js';
import type { Runtime } from '../../app/runtime.js';
import type { Deployment } from '../../store/index.js';
import { parseId } from '../../util/id.js';
import { parseCommand, type CommonOptions } from '../args.js';
import { failureReportsOf, type FailureReport } from '../../deploy/failureReport.js';
import { carryOverOf, describeCarryOver } from '../../carryover/report.js';
import type { CarryOverReport } from '../../carryover/run.js';
import { readTagNames, versionName } from '../../versions/naming.js';
import { cliActor, openContext, openOperationContext, table, type Io } from '../io.js';

/**
 * --dry-run: builds the plan on a context that only reads (no lock, no crash recovery, no pull, no dump,
 * no checkout) and prints it; a plan with blockers exits 1, as the operation would be refused.
 */
async function dryRun<P extends { blockers: readonly unknown[] }>(
  common: CommonOptions,
  io: Io,
  plan: (ctx: Runtime) => Promise<P>,
  text: (plan: P) => string,
): Promise<void> {
  const ctx = openContext(common, io);
  try {
    const p = await plan(ctx);
    io.out(common.json ? JSON.stringify({ plan: p }) : text(p));
    if (p.blockers.length) process.exitCode = 1;
  } finally {
    ctx.store.close();
  }
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
  if (current && ref) throw inputError('--current deploys the recorded pair: give no REF with it');
  if (!ref && !current) throw inputError('usage: switchyard deploy REF (a tag, branch or commit sha) | --current');
  if (values.detach && values['dry-run']) throw inputError('--detach and --dry-run exclude each other');
  if (current && values['dry-run']) throw inputError('--current and --dry-run exclude each other');
  if (values['dry-run']) return dryRun(common, io, (ctx) => planDeploy(ctx, ref!, { versions: true }), deployPlanText);
  if (values.detach) return detach('deploy', argv, io, common.json);

  const ctx = await openOperationContext(common, io);
  try {
    const actor = cliActor(io.env).name;
    await follow(
      ctx,
      await (ref ? startDeploy(ctx, { ref, actor }) : startRestart(ctx, { actor })),
      values['detached-child'] === true,
      common.json,
      io,
    );
  } finally {
    ctx.store.close();
  }
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
  const raw = positionals[0];
  const carryOver = values['carry-over'];
  if (carryOver !== undefined && carryOver !== 'inserts' && carryOver !== 'none')
    throw inputError(`--carry-over must be inserts or none, got "${carryOver}"`);
  const deploymentId = parseId(raw);
  if (deploymentId === undefined)
    throw inputError('usage: switchyard rollback DEPLOYMENT_ID [--images-only | --database-only]');
  if (values['images-only'] && values['database-only'])
    throw inputError('--images-only and --database-only exclude each other');
  if (values.detach && values['dry-run']) throw inputError('--detach and --dry-run exclude each other');
  const mode = values['images-only'] ? 'images-only' : values['database-only'] ? 'database-only' : 'full';
  if (values['dry-run']) {
    return dryRun(
      common,
      io,
      (ctx) => {
        const target = ctx.store.deployments.get(Number(raw));
        if (!target) throw notFound(`deployment ${raw} does not exist`);
        return planRollback(ctx, target, mode, carryOver);
      },
      rollbackPlanText,
    );
  }
  if (values.detach) return detach('rollback', argv, io, common.json);
  const ctx = await openOperationContext(common, io);
  try {
    await follow(
      ctx,
      await startRollback(ctx, { deploymentId, mode, actor: cliActor(io.env).name, carryOver }),
      values['detached-child'] === true,
      common.json,
      io,
    );
  } finally {
    ctx.store.close();
  }
}

/** Prints the steps of a running operation on stderr, then its record on stdout; fails unless it succeeded. */
async function follow(
  ctx: Runtime,
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
  const stop = (signal: NodeJS.Signals) => ctx.shutdown.requestStop(signal);
  process.once('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  io.err(`deployment ${started.id} started`);
  ctx.events.subscribe(started.id, (e) => {
    if (e.type === 'step' && e.step.status !== 'running') {
      const took = e.step.finishedAt
        ? ` (${((Date.parse(e.step.finishedAt) - Date.parse(e.step.startedAt)) / 1000).toFixed(1)}s)`
        : '';
      io.err(`  ${e.step.status.padEnd(7)} ${e.step.name}${took}${e.step.error ? `: ${e.step.error}` : ''}`);
    }
  });
  const ended = await started.finished;
  // Done for the user; a rollback's safety backup still runs (its steps show above), and this process runs it.
  const kept = ctx.store.deployments.steps(ended.id).some((s) => s.name === 'swap database' && s.status === 'ok');
  if (ended.status === 'succeeded' && ctx.shutdown.stoppedBefore === undefined && kept)
    io.err(`deployment ${ended.id} succeeded; the replaced database is being dumped as its safety backup`);
  const result = await started.done;
  if (ctx.shutdown.stoppedBefore !== undefined) {
    // Stopped at a step boundary: the record stays running, as after a SIGKILL there; the next operation recovers.
    const signal = ctx.shutdown.stopSignal;
    io.err(`switchyard: stopping before step "${ctx.shutdown.stoppedBefore}" (${signal}); the next operation recovers`);
    ctx.store.close();
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
  const ctx = openContext(common, io);
  try {
    if (positionals[0] !== undefined) {
      const id = parseId(positionals[0]);
      if (id === undefined)
        throw inputError(
          `DEPLOYMENT_ID must be a positive integer up to ${Number.MAX_SAFE_INTEGER}, got "${positionals[0]}"`,
        );
      const deployment = ctx.store.deployments.get(id);
      if (!deployment) throw failed(`deployment ${positionals[0]} does not exist`);
      const steps = ctx.store.deployments.steps(deployment.id);
      const failures = failureReportsOf(steps);
      const carryOver = carryOverOf(steps);
      if (common.json)
        return io.out(JSON.stringify({ failure: failures[0] ?? null, failures, deployment, steps, carryOver }));
      io.out(`${describe(deployment)}${deployment.error ? `\n${deployment.error}` : ''}\n`);
      for (const failure of failures) io.out(describeFailure(failure));
      if (carryOver) io.out(`${carryOverText(carryOver)}\n`);
      io.out(
        table(
          ['#', 'STEP', 'STATUS', 'STARTED', 'ERROR'],
          steps.map((s) => [String(s.seq), s.name, s.status, formatTime(s.startedAt).slice(11), s.error ?? '']),
        ),
      );
      return;
    }
    const list = ctx.store.deployments.list(50);
    if (common.json) return io.out(JSON.stringify(list));
    if (list.length === 0) return io.out('no deployments yet');
    const tags = await readTagNames(ctx.config.project.dir);
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
  } finally {
    ctx.store.close();
  }
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
