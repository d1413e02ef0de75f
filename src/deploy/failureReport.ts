import type { Config } from '../config/index.js';
import type { DockerClient } from '../docker/client.js';
import { type ContainerFacts, checkOutputLine, isReady, readProjectContainers } from '../docker/containerFacts.js';
import { readContainerLogs } from '../docker/logs.js';
import { oneLine } from '../errors.js';
import type { DeploymentLog } from '../store/deployments.js';
import type { DeploymentStep } from '../store/index.js';
import type { Redact } from '../util/redact.js';
import type { Journal } from '../ops/journal.js';
import type { DockerAccess, EnginePort } from './ports.js';
import { StoppedAtBoundary } from '../ops/shutdown.js';

/**
 * Why an operation's `up` or `health` failed, captured BEFORE the next step
 * recreates the containers (after which `docker logs` has nothing): each
 * failing container's state, its last health-check results and its last log
 * lines, kept in the journal as the detail of a `diagnose` step. Every such
 * failure is diagnosed: a deploy's or rollback's own, and its undo's
 * (`rollback: up`, `rollback: health`), so one record may hold several.
 */
export const LOG_LINES_KEPT = 200;
const MAX_LINE_CHARS = 500;
const MAX_HEALTH_OUTPUT = 1000;
/** Steps whose failure is explained by the containers (others fail before any container changes). */
const CONTAINER_STEPS = new Set(['up', 'health', 'rollback: up', 'rollback: health']);

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

/** The few Docker capabilities the report needs (a fake in unit tests, dockerode otherwise). */
export interface ContainerPort {
  projectContainers(project: string): Promise<ContainerFacts[]>;
  logs(containerId: string, lines: number): Promise<string[]>;
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

/**
 * The one call an operation (or its undo) makes when a step fails: when the step
 * journaled last is a failed `up` or `health` (of the operation or of its undo),
 * journals a `diagnose` step holding the report and returns its headline;
 * otherwise (or when Docker cannot be read) returns the error as one line.
 */
export async function explainFailure(
  ports: { deployments: Pick<DeploymentLog, 'steps'>; engine: Pick<EnginePort, 'diagnose'> },
  journal: Journal,
  error: unknown,
): Promise<string> {
  const cause = oneLine(error);
  // The last step only: an earlier failure has its own report, and this error may come from no step at all.
  const failedStep = ports.deployments.steps(journal.deploymentId).at(-1);
  if (failedStep?.status !== 'failed' || !CONTAINER_STEPS.has(failedStep.name)) return cause;
  try {
    const report = await journal.step(
      'diagnose',
      () => ports.engine.diagnose(failedStep.name, cause),
      (r) => r,
    );
    return `${failedStep.name}: ${report.headline}`;
  } catch (e) {
    if (e instanceof StoppedAtBoundary) throw e;
    return cause; // the diagnose step is journaled as failed with its reason; the rollback still runs
  }
}

/** What diagnosing reads: the project's containers and their logs, redacted before they are kept. */
export type DiagnosePorts = DockerAccess & { config: Pick<Config, 'services'>; redactor: Redact };

/** The report of a failed step, read from Docker: the wiring of EnginePort.diagnose. */
export async function diagnoseContainers(d: DiagnosePorts, step: string, error: string): Promise<FailureReport> {
  return buildFailureReport(
    dockerContainerPort(d.docker(), d.redactor),
    {
      project: await d.projectName(),
      managed: Object.keys(d.config.services),
      step,
      error,
    },
    d.redactor,
  );
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

/** The port on dockerode: compose's labels find the project's containers; logs come demultiplexed. */
export function dockerContainerPort(docker: DockerClient, redactor: Redact): ContainerPort {
  return {
    projectContainers: (project) =>
      readProjectContainers(docker, project, { cleanOutput: (text) => cleanOutput(redactor, text) }),
    async logs(id, lines) {
      const read = await readContainerLogs(docker, id, { tail: lines, follow: false });
      const all: string[] = [];
      for await (const line of read.lines) all.push(line);
      return all.slice(-lines);
    },
  };
}

// Redacted before cutting, so a secret across the cut cannot leave a prefix in clear.
const cleanLine = (redactor: Redact) => (line: string) =>
  redactor.redact(line.replace(/\r$/, '')).slice(0, MAX_LINE_CHARS);
const cleanOutput = (redactor: Redact, text: string) => redactor.redact(text.trim()).slice(0, MAX_HEALTH_OUTPUT);
