import type { Deployment } from '../store/index.js';

/**
 * The app's state in one word. down: a managed service has no container that serves; failed: an operation ended
 * leaving its effect in place (a rollback that failed, a restore that failed half-way) and nothing succeeded since;
 * unfinished: an operation's process died mid-way (orphaned); degraded: every service serves, but not every container
 * (one stopped or unhealthy, one still starting, one running another image than the pin); unknown: Docker could not
 * be asked. The worst wins, in that order.
 */
export type AppHealth = 'healthy' | 'degraded' | 'down' | 'failed' | 'unfinished' | 'unknown';

const WORST_FIRST: readonly AppHealth[] = ['down', 'failed', 'unfinished', 'unknown', 'degraded', 'healthy'];

/** One managed service, as the status reads it from Docker. */
export interface ServiceFacts {
  name: string;
  containers: ReadonlyArray<{ name: string; state: 'running' | 'stopped'; health: string }>;
  drift: boolean;
}

export type FinishedOperation = Pick<Deployment, 'id' | 'kind' | 'ref' | 'status' | 'error' | 'finishedAt'>;

export interface AppStateInput {
  /** The managed services; null when Docker could not be asked (`servicesError` says why). */
  services: readonly ServiceFacts[] | null;
  servicesError?: string | null;
  /** The recorded pair that should run: the newest deployment that succeeded. */
  current: Pick<Deployment, 'id' | 'kind' | 'images'> | null;
  /** The operations recorded after `current` (all of them without one), any order. */
  since: readonly FinishedOperation[];
  /** The operation of the moment (operationNow). */
  operation: { state: 'running' | 'orphaned'; operation: string; deploymentId: number | null } | null;
}

/** What the operator can do about it, in the order the banner offers it. */
export type AppAction =
  | { kind: 'restart' }
  | { kind: 'rollback'; deploymentId: number }
  | { kind: 'open'; deploymentId: number };

export interface AppState {
  state: AppHealth;
  /** The state in words: "the app is down", "the app runs". */
  headline: string;
  /** One line: what is wrong (or "the app runs"), for the banner's title, `status` and the API. */
  summary: string;
  /** Every problem, one line each, naming the service or the operation. */
  problems: string[];
  /** The services that do not serve fully (down or degraded), by name. */
  services: Array<{ name: string; state: 'down' | 'degraded'; why: string }>;
  /** The operation whose failure still stands, newest first. */
  failed: FinishedOperation | null;
  /** The recorded current version runs: every managed service serves. False while Docker cannot tell. */
  currentRuns: boolean;
  /** An operation runs now: the state is in flux, the pages show it as busy rather than as a problem. */
  busy: boolean;
  actions: AppAction[];
}

/** A container serves: it runs and its healthcheck (if any) passes. */
const serves = (c: ServiceFacts['containers'][number]) =>
  c.state === 'running' && (c.health === 'healthy' || c.health === 'none');
const starting = (c: ServiceFacts['containers'][number]) => c.state === 'running' && c.health === 'starting';

/** A failure whose effect stands until something succeeds: a failed undo, or a restore that failed after it began. */
function leftFailed(d: FinishedOperation): boolean {
  return d.status === 'rollback-failed' || (d.kind === 'restore' && d.status === 'failed');
}

function serviceProblem(s: ServiceFacts): AppState['services'][number] | null {
  const describe = (c: ServiceFacts['containers'][number]) =>
    `${c.name} ${c.state === 'running' ? (c.health === 'none' ? 'running' : c.health) : 'stopped'}`;
  if (s.containers.length === 0) return { name: s.name, state: 'down', why: 'no container' };
  const list = s.containers.map(describe).join(', ');
  if (!s.containers.some((c) => serves(c) || starting(c))) return { name: s.name, state: 'down', why: list };
  if (!s.containers.every(serves)) return { name: s.name, state: 'degraded', why: list };
  if (s.drift) return { name: s.name, state: 'degraded', why: 'runs another image than the one pinned' };
  return null;
}

const label = (d: Pick<FinishedOperation, 'id' | 'kind' | 'ref'>) => `#${d.id} (${d.kind}${d.ref ? ` ${d.ref}` : ''})`;

/** The one rule for the app's state: the banner, `switchyard status`, the API's current-version and Versions use it. */
export function appStateOf(input: AppStateInput): AppState {
  const services = (input.services ?? []).map(serviceProblem).filter((p) => p !== null);
  const failed = [...input.since].filter(leftFailed).sort((a, b) => b.id - a.id)[0] ?? null;
  const orphaned = input.operation?.state === 'orphaned' ? input.operation : null;
  const problems = [
    ...services.map((s) => `service ${s.name} is ${s.state}: ${s.why}`),
    ...(failed ? [`operation ${label(failed)} ended ${failed.status}: ${failed.error ?? 'no error recorded'}`] : []),
    ...(orphaned
      ? [
          `operation ${orphaned.operation} was left unfinished: its process is gone; ` +
            'the next operation (or switchyard recover) recovers it first',
        ]
      : []),
    ...(input.services === null ? [`cannot read what runs: ${input.servicesError ?? 'Docker did not answer'}`] : []),
  ];
  const found = new Set<AppHealth>([
    ...services.map((s) => s.state),
    ...(failed ? (['failed'] as const) : []),
    ...(orphaned ? (['unfinished'] as const) : []),
    ...(input.services === null ? (['unknown'] as const) : []),
  ]);
  const state = WORST_FIRST.find((s) => found.has(s)) ?? 'healthy';
  const busy = input.operation?.state === 'running';
  const headline = HEADLINE[state];
  return {
    state,
    headline,
    summary: state === 'healthy' ? `${headline}: every managed service serves` : `${headline}: ${problems[0]}`,
    problems,
    services,
    failed,
    currentRuns: input.current !== null && input.services !== null && !services.some((s) => s.state === 'down'),
    busy,
    actions: state === 'healthy' || busy ? [] : actionsFor(input, failed, orphaned?.deploymentId ?? null),
  };
}

const HEADLINE: Record<AppHealth, string> = {
  healthy: 'the app runs',
  down: 'the app is down',
  failed: 'an operation failed and its effect stands',
  unfinished: 'an operation was left unfinished',
  unknown: "the app's state is unknown",
  degraded: 'the app is degraded',
};

/**
 * Restart the recorded pair (when there is one with its pins), roll back to before the operation that failed (else
 * before the current deployment, when it is a deploy), open what failed or was left unfinished.
 */
function actionsFor(input: AppStateInput, failed: FinishedOperation | null, orphan: number | null): AppAction[] {
  const actions: AppAction[] = [];
  if (input.current?.images && orphan === null) actions.push({ kind: 'restart' });
  const rollbackOf = failed?.kind === 'deploy' ? failed.id : input.current?.kind === 'deploy' ? input.current.id : null;
  if (rollbackOf !== null && orphan === null) actions.push({ kind: 'rollback', deploymentId: rollbackOf });
  const open = failed?.id ?? orphan;
  if (open !== null) actions.push({ kind: 'open', deploymentId: open });
  return actions;
}
