import { openLeftoversDownload, downloadHeaders } from '../backup/download.js';
import { alreadyUndone } from '../carryover/rollbackImpact.js';
import { carryOverOf } from '../carryover/report.js';
import type { CarryOverMode, CarryOverReport } from '../carryover/run.js';
import { failureReportOf, failureReportsOf, type FailureReport } from '../deploy/diagnosis.js';
import { currentStatus, type CurrentStatus } from '../deploy/status.js';
import { planDeploy, type DeployPlan } from '../deploy/plan.js';
import { planRollback, rollbackBlockers, ROLLBACK_MODES, type RollbackPlan } from '../deploy/rollbackPlan.js';
import { may, type Actor } from '../domain/roles.js';
import { inputError } from '../errors.js';
import type { DeploymentEvent } from '../ops/events.js';
import { followDeployment, type FollowEvent } from '../ops/follow.js';
import type { StartedDeployment } from '../ops/operation.js';
import type { Deployment, DeploymentStep } from '../store/index.js';
import { readTagNames, type TagNames } from '../versions/naming.js';
import { authorize } from './authorize.js';
import { deploymentOr404 } from './lookup.js';
import { recoverInterruptedOperations, startDeploy, startRestart, startRollback } from './ports/deploy.js';
import {
  type DeployInput,
  parseDeployInput,
  parseDeploymentId,
  parseRollbackInput,
  type RollbackInput,
} from './deploymentInput.js';
import type { RuntimeSource } from './runtime.js';

// What the faces render of this area: the records' types and the pure presentation helpers.
export type { Deployment, DeploymentStep, FailedDeployment } from '../store/index.js';
export type { DeploymentEvent } from '../ops/events.js';
export type { FollowEvent } from '../ops/follow.js';
export type { StartedDeployment } from '../ops/operation.js';
export type { CurrentStatus } from '../deploy/status.js';
export type { DeployPlan, PlanNote } from '../deploy/plan.js';
export { ROLLBACK_MODES, type RollbackMode, type RollbackPlan } from '../deploy/rollbackPlan.js';
export { failureReportOf, failureReportsOf, type FailureReport } from '../deploy/diagnosis.js';
export { operationWords, undoWords, failureTitle } from '../deploy/wording.js';
export { describeRecovery, type RecoveryReport } from '../deploy/recover.js';
export { carryOverOf, describeCarryOver } from '../carryover/report.js';
export type { CarryOverMode, CarryOverReport } from '../carryover/run.js';
export { COLUMNS_UNKNOWN, schemaChanges, type RollbackImpact } from '../carryover/rollbackImpact.js';
export { stepLabel, type StepName } from '../domain/steps.js';
export { versionName, versionLabel, type TagNames } from '../versions/naming.js';
export {
  type DeployInput,
  parseCarryOver,
  parseDeployInput,
  parseDeploymentId,
  parseRollbackInput,
  parseRollbackMode,
  type RollbackInput,
  type RollbackModeInput,
} from './deploymentInput.js';

/** One deployment as every face shows it: the record, its steps, why it failed, what a rollback carried over. */
export interface DeploymentDetail {
  /** The first failure report (why it failed); `failures` holds it and every later one (the automatic rollback's). */
  failure: FailureReport | null;
  failures: FailureReport[];
  deployment: Deployment;
  steps: DeploymentStep[];
  carryOver: CarryOverReport | null;
  /** The journal's copy of the operation's output. */
  output: string[];
}

/** A row of the history: the record, its steps, and whether this actor is offered a rollback to before it. */
export interface HistoryEntry {
  deployment: Deployment;
  steps: DeploymentStep[];
  canRollBack: boolean;
  /** Why a rollback to before it would undo a rollback that already happened; null when it would not. */
  undone: string | null;
}

/** The rollback confirmation: each mode with why it is not possible (null: possible). */
export interface RollbackChoice {
  target: Deployment;
  /** The target's pre-deploy backup, when it is still usable. */
  backup: RollbackPlan['backup'];
  modes: Record<(typeof ROLLBACK_MODES)[number], string | null>;
  /** Every mode is blocked: the page says why instead of offering a form. */
  impossible: boolean;
  stoppedServices: string[];
  undone: RollbackPlan['undone'];
  impact: RollbackPlan['impact'];
  tags: TagNames;
  /** The configured carry-over (rollback.carryOver): the choice checked first. */
  carryOver: CarryOverMode;
}

/** A file to stream to whoever asked, with its headers (name, type, length). */
export interface FileDownload {
  body: ReadableStream<Uint8Array>;
  headers: Record<string, string>;
}

const HISTORY_LENGTH = 100;

/** Deployments: history, one deployment, its events and plans; deploy, restart, roll back, recover. */
export class Deployments {
  constructor(private readonly runtime: RuntimeSource) {}

  /** The latest deployments, newest first (the API's and the CLI's list). */
  list(limit = HISTORY_LENGTH): Deployment[] {
    return this.runtime().store.deployments.list(limit);
  }

  /** The history page: each deployment with its steps and the one rule of whether a rollback is offered. */
  async history(actor: Actor): Promise<{ entries: HistoryEntry[]; tags: TagNames }> {
    const { store } = this.runtime();
    const all = store.deployments.list(HISTORY_LENGTH);
    const entries = all.map((deployment) => ({
      deployment,
      steps: store.deployments.steps(deployment.id),
      canRollBack: may(actor.role, 'deploy') && this.rollbackPossible(deployment),
      // Not offered where it would undo a rollback that already happened (the confirmation page still explains it).
      undone: alreadyUndone(deployment, all),
    }));
    return { entries, tags: await this.tagNames() };
  }

  /** The record alone says some kind of rollback to before `d` is possible (the plan checks the rest). */
  private rollbackPossible(d: Deployment): boolean {
    const { store } = this.runtime();
    const backup = d.backupId ? store.backups.get(d.backupId) : undefined;
    return Object.values(rollbackBlockers(d, backup)).some((why) => why === null);
  }

  /** The names of the compose repo's tags, by commit: how the views name a version. */
  tagNames(): Promise<TagNames> {
    return readTagNames(this.runtime().config.project.dir);
  }

  /** One deployment by id (404 when there is none). */
  get(rawId: string | number): Deployment {
    return deploymentOr404(this.runtime().store, parseDeploymentId(rawId));
  }

  /** One deployment with its steps, failure reports, carry-over and output. */
  detail(rawId: string | number): DeploymentDetail {
    const { store } = this.runtime();
    const deployment = this.get(rawId);
    const steps = store.deployments.steps(deployment.id);
    return {
      failure: failureReportOf(steps),
      failures: failureReportsOf(steps),
      deployment,
      steps,
      carryOver: carryOverOf(steps),
      output: store.deployments.output(deployment.id),
    };
  }

  /** One deployment from its journal to its end: the one live stream of the API and the UI. */
  follow(rawId: string | number, signal?: AbortSignal): AsyncGenerator<FollowEvent, void, undefined> {
    const { id } = this.get(rawId);
    const runtime = this.runtime();
    return followDeployment({ deployments: runtime.store.deployments, events: runtime.events }, id, { signal });
  }

  /** Live events of an operation of this process; returns the unsubscribe. */
  subscribe(id: number, listener: (event: DeploymentEvent) => void): () => void {
    return this.runtime().events.subscribe(id, listener);
  }

  isRunning(id: number): boolean {
    return this.runtime().store.deployments.get(id)?.status === 'running';
  }

  /** The journal's copy of an operation's output. */
  storedOutput(id: number): string[] {
    return this.runtime().store.deployments.output(id);
  }

  steps(id: number): DeploymentStep[] {
    return this.runtime().store.deployments.steps(id);
  }

  /** What is deployed according to switchyard, and what actually runs according to Docker. */
  current(): Promise<CurrentStatus> {
    return currentStatus(this.runtime());
  }

  /** What a deploy of `ref` would do, changing nothing; `versions` also asks the version list (CI state). */
  async deployPlan(ref: string | undefined, options: { versions?: boolean } = {}): Promise<DeployPlan> {
    if (!ref) throw inputError('give the version to plan (a tag, branch or commit sha)');
    const runtime = this.runtime();
    const plan = await planDeploy(runtime, ref, options);
    if (plan.current.error) runtime.log.warn('deploy plan: could not read what runs', { error: plan.current.error });
    return plan;
  }

  /** What a rollback to before deployment `id` would do, changing nothing. */
  async rollbackPlan(input: RollbackInput): Promise<RollbackPlan> {
    const { id, mode, carryOver } = parseRollbackInput(input);
    return planRollback(this.runtime(), this.get(id), mode, carryOver);
  }

  /** The confirmation page's view of a rollback to before `id`: each mode, possible or why not. */
  async rollbackChoice(rawId: string | number): Promise<RollbackChoice> {
    const runtime = this.runtime();
    const target = this.get(rawId);
    const plan = await planRollback(runtime, target);
    const modes = Object.fromEntries(
      ROLLBACK_MODES.map((m) => [m, plan.modes[m]?.reason ?? null]),
    ) as RollbackChoice['modes'];
    return {
      target,
      backup: plan.backup,
      modes,
      impossible: Object.values(modes).every((why) => why !== null),
      stoppedServices: plan.stoppedServices,
      undone: plan.undone,
      impact: plan.impact,
      tags: await this.tagNames(),
      carryOver: runtime.config.rollback.carryOver,
    };
  }

  /**
   * Deploys `ref`, or restarts the recorded pair (`current`). Resolving the ref and taking the lock happen before
   * this returns (a bad ref is an input error, a busy host a conflict); the rest runs on: follow it by its id.
   */
  async deploy(actor: Actor, input: DeployInput): Promise<StartedDeployment> {
    authorize(actor, 'deploy');
    const target = parseDeployInput(input);
    if ('current' in target) return startRestart(this.runtime(), { actor: actor.name });
    return startDeploy(this.runtime(), { ref: target.ref, actor: actor.name });
  }

  /** Restarts the current version: a deploy of the recorded pair, with its backup and health check. */
  restart(actor: Actor): Promise<StartedDeployment> {
    return this.deploy(actor, { current: true });
  }

  /** Rolls back to before deployment `id`: its images, its pre-deploy database, or both. */
  async rollback(actor: Actor, input: RollbackInput): Promise<StartedDeployment> {
    authorize(actor, 'deploy');
    const { id, mode, carryOver } = parseRollbackInput(input);
    this.get(id);
    return startRollback(this.runtime(), { deploymentId: id, mode, actor: actor.name, carryOver });
  }

  /** Finishes or undoes what a crashed switchyard left unfinished (also done first by every operation). */
  async recover(actor: Actor): Promise<Awaited<ReturnType<typeof recoverInterruptedOperations>>> {
    authorize(actor, 'deploy');
    return recoverInterruptedOperations(this.runtime());
  }

  /** The rows a rollback's carry-over left over (residents' data), audited as downloaded by `actor`. */
  async leftovers(actor: Actor, rawId: string | number): Promise<FileDownload> {
    authorize(actor, 'read backup data');
    const { id } = this.get(rawId);
    const download = await openLeftoversDownload(this.runtime(), id, actor.name);
    return { body: download.body, headers: downloadHeaders(download) };
  }

  /**
   * Asks this process's running operations to stop at their next step boundary (a CLI's Ctrl-C); `stoppedBefore`
   * then names the step they stopped before.
   */
  requestStop(signal: NodeJS.Signals): void {
    this.runtime().shutdown.requestStop(signal);
  }

  stopped(): { before: string; signal: string } | undefined {
    const { shutdown } = this.runtime();
    return shutdown.stoppedBefore === undefined
      ? undefined
      : { before: shutdown.stoppedBefore, signal: shutdown.stopSignal };
  }
}
