import type { Notification } from '../notify/payloads.js';
import type { AuditLog } from '../store/audit.js';
import type { DeploymentLog } from '../store/deployments.js';
import type { Deployment } from '../store/index.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/log.js';
import type { Redact } from '../util/redact.js';
import type { DeploymentEvents } from './events.js';

/** How an operation ended, in the terms of each place that hears about it. */
export interface Outcome {
  audit: { actor: string; action: string; target: string; ok: boolean; detail: string | null };
  notification: { event: Notification['event']; ok: boolean; summary: string; details: Record<string, unknown> };
  log: { level: 'info' | 'warn' | 'error'; message: string; fields: Record<string, unknown> };
}

export interface ReportPorts {
  audit: Pick<AuditLog, 'record'>;
  notify(n: Omit<Notification, 'at'>): void;
  log: Logger;
  /** Every text this reporter sends or records passes through it: the report is an edge. */
  redactor: Redact;
  /** The audit entry's time. */
  clock: Clock;
}

/**
 * The one ending of every operation (deploy, rollback, recovery, backup, drill): the audit
 * entry, the webhook notification and the log line, each redacted here once. `at`: when the
 * operation ended, if the caller has already read it (its record carries the same time).
 */
export function reportOutcome(ports: ReportPorts, outcome: Outcome, at = ports.clock.now()): void {
  const { audit, notification, log } = outcome;
  const detail = audit.detail === null ? null : ports.redactor.redact(audit.detail);
  ports.audit.record(
    {
      actor: audit.actor,
      action: audit.action,
      target: audit.target,
      outcome: audit.ok ? 'ok' : 'failed',
      detail,
    },
    at,
  );
  ports.log[log.level](log.message, log.fields);
  ports.notify({ ...notification, summary: ports.redactor.redact(notification.summary) });
}

export interface DeploymentReportPorts extends ReportPorts {
  deployments: Pick<DeploymentLog, 'finish' | 'get'>;
  events: Pick<DeploymentEvents, 'emit'>;
}

/**
 * A deployment or rollback ends: its record, `done` for its watchers, then the outcome. The record's end
 * and the audit entry are one reading of the clock. Returns the final record.
 */
export function finishDeployment(
  ports: DeploymentReportPorts,
  id: number,
  status: Exclude<Deployment['status'], 'running'>,
  error: string | null,
  outcome: (message: string | null, record: Deployment) => Outcome,
): Deployment {
  const message = error === null ? null : ports.redactor.redact(error);
  const at = ports.clock.now();
  ports.deployments.finish(id, status, message, at);
  const record = ports.deployments.get(id)!;
  ports.events.emit(id, { type: 'done', deployment: record });
  reportOutcome(ports, outcome(message, record), at);
  return record;
}

/**
 * The log line of a deploy or rollback that ended (`finished` names which): a failed undo is the one ending
 * that is an error, because the app may be down; a failure that was rolled back is a warning.
 */
export function deploymentEndLog(
  id: number,
  status: Exclude<Deployment['status'], 'running'>,
  finished: string,
): Outcome['log'] {
  if (status === 'rollback-failed') {
    return {
      level: 'error',
      message: 'ROLLBACK FAILED: the app may be down; see the deployment record',
      fields: { deployment: id },
    };
  }
  return { level: status === 'succeeded' ? 'info' : 'warn', message: finished, fields: { deployment: id, status } };
}
