import type { DockerClient } from '../docker/client.js';
import { repositoryOf } from '../docker/images.js';
import { STACK_NAMESPACE, swarmServiceName } from '../docker/labels.js';

/** This engine's place in a swarm, as `docker info` tells it. */
export interface SwarmMembership {
  /** Swarm.LocalNodeState: inactive, pending, active, error, locked. */
  state: string;
  /** Swarm.ControlAvailable: this engine is a manager (can list nodes, services, tasks, and deploy). */
  manager: boolean;
  nodeId: string;
  /** The engine's hostname (what `docker node ls` shows for it). */
  hostname: string;
}

/** A node of the swarm, as a manager lists it. */
export interface SwarmNode {
  id: string;
  hostname: string;
  role: 'manager' | 'worker';
  /** ready, down, unknown, disconnected. */
  state: string;
}

/** A service of some stack: its stack (the namespace label), full name (`<stack>_<service>`) and spec image. */
export interface StackService {
  stack: string;
  name: string;
  image: string;
  /** deploy.placement.constraints of its spec, e.g. `node.labels.switchyard.db == true`. */
  constraints: string[];
}

export async function readMembership(docker: DockerClient): Promise<SwarmMembership> {
  const info = (await docker.info()) as {
    Name?: string;
    Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string };
  };
  return {
    state: info.Swarm?.LocalNodeState || 'inactive',
    manager: info.Swarm?.ControlAvailable === true,
    nodeId: info.Swarm?.NodeID ?? '',
    hostname: info.Name ?? '',
  };
}

/** The swarm's nodes (a manager only). */
export async function readNodes(docker: DockerClient): Promise<SwarmNode[]> {
  return (await docker.listNodes()).map((n) => ({
    id: n.ID ?? '',
    hostname: n.Description?.Hostname ?? n.ID ?? '',
    role: n.Spec?.Role === 'manager' ? 'manager' : 'worker',
    state: n.Status?.State ?? 'unknown',
  }));
}

/** Every service that belongs to a stack (or to the one named), from a manager. */
export async function readStackServiceList(docker: DockerClient, stack?: string): Promise<StackService[]> {
  const label = stack ? `${STACK_NAMESPACE}=${stack}` : STACK_NAMESPACE;
  const services = await docker.listServices({ filters: { label: [label] } });
  return services.map((s) => ({
    stack: s.Spec?.Labels?.[STACK_NAMESPACE] ?? '',
    name: s.Spec?.Name ?? '',
    image: (s.Spec?.TaskTemplate as { ContainerSpec?: { Image?: string } } | undefined)?.ContainerSpec?.Image ?? '',
    constraints: s.Spec?.TaskTemplate?.Placement?.Constraints ?? [],
  }));
}

/**
 * The stacks that run these compose files: their services are exactly the files' services (`<stack>_<service>`;
 * a deploy's `--prune` would remove any other), each on the image repository the files name (tag and digest
 * aside: the stack may run a pin of it). A stack has no working_dir label, so this is the evidence there is.
 */
export function matchingStacks(images: Record<string, string>, services: readonly StackService[]): string[] {
  const byStack = new Map<string, Map<string, string>>();
  for (const s of services) {
    if (!s.stack) continue;
    const names = byStack.get(s.stack) ?? new Map<string, string>();
    names.set(s.name, s.image);
    byStack.set(s.stack, names);
  }
  const wanted = Object.entries(images);
  return [...byStack]
    .filter(
      ([stack, running]) =>
        wanted.length > 0 &&
        running.size === wanted.length &&
        wanted.every(([service, image]) => {
          const actual = running.get(swarmServiceName(stack, service));
          return actual !== undefined && (!image || sameRepository(image, actual));
        }),
    )
    .map(([stack]) => stack)
    .sort();
}

/** `postgres:15` and `docker.io/library/postgres@sha256:…` name the same repository. */
function sameRepository(a: string, b: string): boolean {
  const normal = (reference: string) =>
    repositoryOf(reference)
      .replace(/^docker\.io\//, '')
      .replace(/^library\//, '');
  return normal(a) === normal(b);
}
