import type { DockerClient } from '../docker/client.js';
import { swarmServiceName } from '../docker/labels.js';
import { failed } from '../errors.js';

/** One task of a stack's service, as the manager reports it: where it runs, what, and how it is doing. */
export interface TaskFacts {
  node: string;
  /** Swarm's task state: new … starting (not yet healthy), running, failed, shutdown, rejected, … */
  state: string;
  desired: string;
  /** The image of the task's spec, as Swarm pinned it (repo[:tag]@sha256:…). */
  image: string;
  /** Swarm's reason, for a task that failed or was rejected. */
  error: string | null;
  updatedAt: string;
}

/** A stack's service: its spec's image and replicas, the state of its last update, and its tasks. */
export interface ServiceFacts {
  name: string;
  image: string;
  /** null for a global service (one task per node). */
  replicas: number | null;
  /** deploy.placement.constraints of its spec, e.g. `node.labels.switchyard.db == true`. */
  constraints: string[];
  update: { state: string; message: string } | null;
  tasks: TaskFacts[];
}

/** The managed services of a stack, read from the manager; a service the stack lacks is absent. */
export async function readStackServices(
  docker: DockerClient,
  stack: string,
  services: readonly string[],
): Promise<Record<string, ServiceFacts>> {
  let specs: Awaited<ReturnType<DockerClient['listServices']>>;
  let nodes: Awaited<ReturnType<DockerClient['listNodes']>>;
  try {
    [specs, nodes] = await Promise.all([
      docker.listServices({ filters: { label: [`com.docker.stack.namespace=${stack}`] } }),
      docker.listNodes(),
    ]);
  } catch (e) {
    throw failed(`the swarm manager does not answer (is this engine a manager?): ${(e as Error).message}`, e);
  }
  const hostnames = new Map(nodes.map((n) => [n.ID, n.Description?.Hostname ?? n.ID]));
  const result: Record<string, ServiceFacts> = {};
  for (const service of services) {
    const spec = specs.find((s) => s.Spec?.Name === swarmServiceName(stack, service));
    if (!spec) continue;
    const tasks = await docker.listTasks({ filters: { service: [spec.ID] } });
    const update = (spec as { UpdateStatus?: { State?: string; Message?: string } }).UpdateStatus;
    result[service] = {
      name: service,
      image:
        (spec.Spec?.TaskTemplate as { ContainerSpec?: { Image?: string } } | undefined)?.ContainerSpec?.Image ?? '',
      replicas: spec.Spec?.Mode?.Replicated ? (spec.Spec.Mode.Replicated.Replicas ?? 1) : null,
      constraints: spec.Spec?.TaskTemplate?.Placement?.Constraints ?? [],
      update: update?.State ? { state: update.State, message: update.Message ?? '' } : null,
      tasks: tasks.map((t) => ({
        node: hostnames.get(t.NodeID ?? '') ?? t.NodeID ?? '(unassigned)',
        state: t.Status?.State ?? 'unknown',
        desired: t.DesiredState ?? 'unknown',
        image: t.Spec?.ContainerSpec?.Image ?? '',
        error: t.Status?.Err ?? null,
        updatedAt: t.UpdatedAt ?? '',
      })),
    };
  }
  return result;
}

/** The digest part of an image reference (`@sha256:…`), or the reference when it has none. */
export function digestOf(reference: string): string {
  const at = reference.indexOf('@');
  return at < 0 ? reference : reference.slice(at + 1);
}

/**
 * What keeps a stack's service from counting as deployed at `pinned`, or null: its spec names the pinned digest,
 * its update is neither paused nor rolled back, and every replica's task runs that digest (a task is `running`
 * only once its healthcheck passes). Pure: health.ts probes it until the health rule decides.
 */
export function swarmServiceProblem(service: string, facts: ServiceFacts | undefined, pinned: string): string | null {
  if (!facts) return `service ${service} is not in the stack`;
  const digest = digestOf(pinned);
  if (digestOf(facts.image) !== digest) return `service ${service} is specified with ${facts.image}, not ${pinned}`;
  if (facts.update && /paused|rollback/.test(facts.update.state))
    return `service ${service}: update ${facts.update.state}${facts.update.message ? `: ${facts.update.message}` : ''}`;
  const current = facts.tasks.filter((t) => t.desired === 'running');
  const ready = current.filter((t) => t.state === 'running' && digestOf(t.image) === digest);
  const wanted = facts.replicas ?? Math.max(current.length, 1);
  if (ready.length >= wanted && ready.length === current.length) return null;
  const lastFailure = [...facts.tasks]
    .filter((t) => t.error)
    .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt))
    .pop();
  const why = lastFailure ? ` (last failure on ${lastFailure.node}: ${lastFailure.error})` : '';
  return `service ${service}: ${ready.length} of ${wanted} tasks run the pinned image${why}`;
}
