import type { Config } from '../config/index.js';
import { dockerContainerPort } from '../docker/containerPort.js';
import { oneLine } from '../errors.js';
import type { DeploymentLog } from '../store/deployments.js';
import type { Redact } from '../util/redact.js';
import type { Journal } from '../ops/journal.js';
import { buildFailureReport, type FailureReport } from './diagnosis.js';
import type { DockerAccess, EnginePort } from './ports.js';
import { StoppedAtBoundary } from '../ops/shutdown.js';

/** Steps whose failure is explained by the containers (others fail before any container changes). */
const CONTAINER_STEPS = new Set(['up', 'health', 'rollback: up', 'rollback: health']);

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
