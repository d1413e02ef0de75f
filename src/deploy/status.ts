import type { Config } from '../config/index.js';
import type { DockerAccess } from './ports.js';
import { readPins } from '../compose/pins.js';
import { inspectImage, serviceContainers } from '../docker/images.js';
import type { Deployment, LockHolder, Store } from '../store/index.js';
import { type NodeTask, type SwarmNodeView, swarmNodeView } from '../swarm/nodeView.js';
import { readStackServices } from '../swarm/tasks.js';
import { appStateOf, type AppState, type AppStateInput } from './appState.js';

/** The status reads the record of what was deployed, the pins, the containers and the lock. */
export type StatusPorts = DockerAccess & {
  config: Pick<Config, 'services' | 'stateDir'> & { project: Pick<Config['project'], 'engine' | 'stack'> };
  store: Pick<Store, 'deployments' | 'lock'>;
};

export interface ServiceStatus {
  name: string;
  /** What switchyard pinned (null: never deployed by switchyard). */
  pinned: string | null;
  containers: Array<{ name: string; state: 'running' | 'stopped'; health: string; image: string }>;
  /** A container runs something other than the pinned image (compose run by hand, an auto-updater…). */
  drift: boolean;
}

/**
 * The operation of the moment. running: its process holds the lock. orphaned: its process died with the lock or the
 * journal saying it runs; the next operation (or the daemon's start) recovers it first.
 */
export interface OperationNow {
  state: 'running' | 'orphaned';
  /** What it is, as the lock names it ("deploy v2.0.0"), or from its deployment record when no lock is left. */
  operation: string;
  /** Its process; null when it left no lock (it stopped at a step boundary). */
  pid: number | null;
  acquiredAt: string;
  /** The deployment or rollback it is, when it is one. */
  deploymentId: number | null;
}

/** An operation crash recovery closed, shown until a deployment succeeds after it was closed. */
export type RecoveredDeployment = Pick<Deployment, 'id' | 'kind' | 'ref' | 'status' | 'error' | 'finishedAt'>;

export interface CurrentStatus {
  deployment: Pick<Deployment, 'id' | 'ref' | 'commit' | 'tag' | 'actor' | 'finishedAt' | 'images'> | null;
  services: ServiceStatus[];
  drift: string[];
  /** Under project.engine: swarm only: every managed service's tasks that should run, node by node. */
  nodes?: NodeTask[];
  operation: OperationNow | null;
  recovered: RecoveredDeployment[];
  /** The app's state by the one rule (appState.ts): healthy, degraded, down, failed, unfinished. */
  app: AppState;
}

/** What runs or was left running, and what recovery closed since the current deployment: from the store alone. */
export function operationNow(store: Pick<Store, 'deployments' | 'lock'>): {
  operation: OperationNow | null;
  recovered: RecoveredDeployment[];
} {
  const holder = store.lock.holder();
  const live = holder !== undefined && !store.lock.isStale(holder);
  const newest = store.deployments.unfinished().at(-1);
  return { operation: describeOperation(holder, live, newest), recovered: recoveredSince(store) };
}

/** The one rule for "what runs now": a live lock holder runs; a dead one, or a running record without one, is orphaned. */
export function describeOperation(
  holder: LockHolder | undefined,
  live: boolean,
  unfinished: Pick<Deployment, 'id' | 'kind' | 'ref' | 'createdAt'> | undefined,
): OperationNow | null {
  if (!holder && !unfinished) return null;
  return {
    state: live ? 'running' : 'orphaned',
    operation: holder?.operation ?? `${unfinished!.kind} ${unfinished!.ref ?? ''}`.trim(),
    pid: holder?.pid ?? null,
    acquiredAt: holder?.acquiredAt ?? unfinished!.createdAt,
    deploymentId: unfinished?.id ?? null,
  };
}

/** By the time each ended: a superseded orphan is older than the current deployment, yet was closed after it. */
function recoveredSince(store: Pick<Store, 'deployments'>): RecoveredDeployment[] {
  const since = store.deployments.current()?.finishedAt ?? '';
  return store.deployments
    .list(50)
    .filter((d) => (d.status === 'interrupted' || d.status === 'superseded') && (d.finishedAt ?? '') > since)
    .map(({ id, kind, ref, status, error, finishedAt }) => ({ id, kind, ref, status, error, finishedAt }));
}

/** What is deployed according to switchyard, and what actually runs according to Docker. */
export async function currentStatus(ports: StatusPorts): Promise<CurrentStatus> {
  const current = ports.store.deployments.current();
  const pins = current?.images ?? (await readPins(ports.config.stateDir)) ?? {};
  const docker = ports.docker();
  const project = await ports.projectName();
  const services: ServiceStatus[] = [];
  const operations = operationNow(ports.store);
  const swarm = await readSwarmView(ports, pins);
  for (const [name, spec] of Object.entries(ports.config.services)) {
    const pinned = pins[name] ?? null;
    const pinnedId = pinned ? (await inspectImage(docker, pinned))?.id : undefined;
    const containers = await serviceContainers(docker, project, name);
    const described = await Promise.all(
      containers.map(async (c) => ({
        name: c.name,
        state: c.running ? ('running' as const) : ('stopped' as const),
        health: c.health,
        image: (await inspectImage(docker, c.imageId, spec.image))?.digestRef ?? c.imageId,
        imageId: c.imageId,
      })),
    );
    // Under Swarm the tasks on every node tell, not only this node's containers.
    const drift = swarm
      ? swarm.imageDrift.includes(name)
      : pinned !== null && described.some((c) => c.imageId !== pinnedId);
    services.push({ name, pinned, containers: described.map(({ imageId: _id, ...c }) => c), drift });
  }
  return {
    deployment: current
      ? {
          id: current.id,
          ref: current.ref,
          commit: current.commit,
          tag: current.tag,
          actor: current.actor,
          finishedAt: current.finishedAt,
          images: current.images,
        }
      : null,
    services,
    drift:
      swarm?.drift ??
      services
        .filter((s) => s.drift)
        .map((s) => `service ${s.name} runs ${s.containers.map((c) => c.image).join(', ')} instead of ${s.pinned}`),
    ...(swarm ? { nodes: swarm.tasks } : {}),
    ...operations,
    // Under Swarm a service serves from its tasks on every node, not from this node's containers alone.
    app: appStateOf(stateInput(ports.store, swarm ? taskServices(swarm, services) : services, operations.operation)),
  };
}

/**
 * The app state's view of a stack's services: each task that should run stands for a container (Swarm reports a
 * task `running` only once its healthcheck passes, `starting` before), and each replica scheduled on no node for a
 * stopped one, so a service short of replicas is degraded and one with no task anywhere is down.
 */
export function taskServices(view: SwarmNodeView, services: readonly ServiceStatus[]): AppStateInput['services'] {
  return services.map((s) => {
    const tasks = view.tasks.filter((t) => t.service === s.name);
    const missing = Array.from({ length: view.unscheduled[s.name] ?? 0 }, () => ({
      name: `${s.name} (not scheduled)`,
      state: 'stopped' as const,
      health: 'none',
    }));
    const containers = tasks.map((t) => ({
      name: `${s.name} on ${t.node}`,
      state: t.state === 'running' || t.state === 'starting' ? ('running' as const) : ('stopped' as const),
      health: t.state === 'running' ? 'healthy' : t.state === 'starting' ? 'starting' : t.state,
    }));
    return { name: s.name, containers: [...containers, ...missing], drift: s.drift };
  });
}

/** The stack's tasks node by node and their drift, under project.engine: swarm; null under compose. */
async function readSwarmView(ports: StatusPorts, pins: Record<string, string>): Promise<SwarmNodeView | null> {
  const { engine, stack } = ports.config.project;
  if (engine !== 'swarm' || !stack) return null;
  const managed = Object.keys(ports.config.services);
  return swarmNodeView(managed, await readStackServices(ports.docker(), stack, managed), pins);
}

/** The app's state when Docker cannot be asked: the records alone still tell of a failed or unfinished operation. */
export function appStateWithoutDocker(store: StatusPorts['store'], error: string): AppState {
  return appStateOf({ ...stateInput(store, null, operationNow(store).operation), servicesError: error });
}

function stateInput(
  store: StatusPorts['store'],
  services: AppStateInput['services'],
  operation: OperationNow | null,
): Parameters<typeof appStateOf>[0] {
  const current = store.deployments.current() ?? null;
  return { services, current, since: store.deployments.after(current?.id ?? 0), operation };
}
