import type { ContainerFacts } from '../docker/containerFacts.js';
import { checkOutputLine, isReady } from '../docker/containerFacts.js';
import type { ContainerPort } from '../docker/containerPort.js';
import { oneLine } from '../errors.js';
import type { DeploymentStep } from '../store/index.js';
import type { Redact } from '../util/redact.js';

/**
 * The pure half of failure diagnosis: the containers and their logs come through ContainerPort
 * (src/docker/containerPort.ts on dockerode, a fake in tests); the journal glue is failureReport.ts.
 *
 * Why an operation's `up` or `health` failed, captured BEFORE the next step
 * recreates the containers (after which `docker logs` has nothing): each
 * failing container's state, its last health-check results and its last log
 * lines, kept in the journal as the detail of a `diagnose` step. Every such
 * failure is diagnosed: a deploy's or rollback's own, and its undo's
 * (`rollback: up`, `rollback: health`), so one record may hold several.
 */
export const LOG_LINES_KEPT = 200;
const MAX_LINE_CHARS = 500;

export type { ContainerFacts, HealthCheckResult } from '../docker/containerFacts.js';

export interface FailingContainer extends ContainerFacts {
  /** One line: "unhealthy: last health check exited 1: …", "exited with code 2", … */
  reason: string;
  /** The container's last LOG_LINES_KEPT lines (stdout and stderr), oldest first, redacted. */
  logs: string[];
}

export interface FailureReport {
  /** The step that failed: 'up', 'health', 'rollback: up' or 'rollback: health'. */
  step: string;
  /** "service backend is unhealthy: …": the failing services and why, in one line. */
  headline: string;
  containers: FailingContainer[];
  /** What the failed step itself said (compose's output, the health probe's message). */
  error: string;
}

/**
 * The containers to explain: those not running or not healthy, in any service
 * of the project (a database that does not start fails a deploy too). When all
 * look fine (the health URL failed, say), the managed services' containers.
 */
export function failingContainers(all: readonly ContainerFacts[], managed: readonly string[]): ContainerFacts[] {
  const bad = all.filter((c) => !isReady(c));
  return bad.length > 0 ? bad : all.filter((c) => managed.includes(c.service));
}

/** Why one container fails, in one line, from its state and its last health check. */
export function reasonOf(c: ContainerFacts): string {
  if (c.state !== 'running') {
    const how =
      c.state === 'exited' || c.state === 'dead' ? `${c.state} with code ${c.exitCode ?? '?'}` : `is ${c.state}`;
    return c.oomKilled ? `${how} (killed: out of memory)` : how;
  }
  const last = c.healthChecks.at(-1);
  if (c.health === 'none' || c.health === 'healthy')
    return `is ${c.state}${c.health === 'healthy' ? ' and healthy' : ''}`;
  if (!last) return `is ${c.health} (no health check has finished yet)`;
  const said = checkOutputLine(last.output);
  return `is ${c.health}: last health check exited ${last.exitCode}${said ? `: ${said}` : ''}`;
}

/** "service backend is unhealthy: …; service worker exited with code 1", or the step's own error when nothing fails. */
export function headlineOf(containers: readonly FailingContainer[], error: string): string {
  const failing = containers.filter((c) => !isReady(c));
  if (failing.length === 0) return error;
  return failing.map((c) => `service ${c.service} ${c.reason}`).join('; ');
}

export async function buildFailureReport(
  port: ContainerPort,
  input: { project: string; managed: readonly string[]; step: string; error: string },
  redactor: Redact,
): Promise<FailureReport> {
  const all = await port.projectContainers(input.project);
  const containers = await Promise.all(
    failingContainers(all, input.managed).map(
      async (c): Promise<FailingContainer> => ({
        ...c,
        reason: reasonOf(c),
        logs: (await port.logs(c.id, LOG_LINES_KEPT).catch((e: unknown) => [`(logs not readable: ${oneLine(e)})`])).map(
          cleanLine(redactor),
        ),
      }),
    ),
  );
  return { step: input.step, headline: headlineOf(containers, input.error), containers, error: input.error };
}

/** Every report journaled for a deployment, in order: its own failure first, then its undo's (page, CLI, API). */
export function failureReportsOf(steps: readonly DeploymentStep[]): FailureReport[] {
  return steps
    .filter((s) => s.name === 'diagnose' && s.status === 'ok')
    .map((s) => s.detail as FailureReport | null | undefined)
    .filter((d): d is FailureReport => !!d && Array.isArray(d.containers));
}

/** The first report (why the operation itself failed), as `failure` has always been. */
export const failureReportOf = (steps: readonly DeploymentStep[]): FailureReport | null =>
  failureReportsOf(steps)[0] ?? null;

// Redacted before cutting, so a secret across the cut cannot leave a prefix in clear.
const cleanLine = (redactor: Redact) => (line: string) =>
  redactor.redact(line.replace(/\r$/, '')).slice(0, MAX_LINE_CHARS);
