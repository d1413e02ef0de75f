import type { ImagePins } from '../domain/images.js';
import { digestOf, type ServiceFacts, type TaskFacts } from './tasks.js';

/** One task that should run (desired running) of a managed stack service: where, how it is doing, what digest. */
export interface NodeTask {
  node: string;
  service: string;
  /** Swarm's task state: running, starting, pending, rejected… */
  state: string;
  /** The digest its spec runs (`sha256:…`), or its image reference when Swarm did not resolve one. */
  digest: string;
  /** It runs the pinned digest; null when switchyard has pinned nothing for the service. */
  pinned: boolean | null;
}

/** The stack's tasks node by node, and what departs from the pins: one line per drift, naming the node. */
export interface SwarmNodeView {
  tasks: NodeTask[];
  drift: string[];
  /** The services with a task on another digest than the pin (the status's per-service drift flag). */
  imageDrift: string[];
  /** Per service, the replicas Swarm has scheduled on no node (absent: none missing). */
  unscheduled: Record<string, number>;
}

/**
 * The per-node view of what runs under Swarm, from the manager's facts (readStackServices) and the pins. Drift:
 * a task that should run runs another digest than the pin (the node named), or a service runs fewer tasks than
 * its replicas (the nodes whose task does not run named, with Swarm's reason). Pure: status.ts reads the facts.
 */
export function swarmNodeView(
  services: readonly string[],
  facts: Record<string, ServiceFacts>,
  pins: ImagePins,
): SwarmNodeView {
  const tasks: NodeTask[] = [];
  const drift: string[] = [];
  const imageDrift: string[] = [];
  const unscheduled: Record<string, number> = {};
  for (const service of services) {
    const f = facts[service];
    const pin = pins[service] ?? null;
    if (!f) {
      if (pin) drift.push(`service ${service} is not in the stack`);
      continue;
    }
    const current = f.tasks.filter((t) => t.desired === 'running').sort(byNode);
    const viewed = current.map((t) => ({
      node: t.node,
      service,
      state: t.state,
      digest: digestOf(t.image),
      pinned: pin ? digestOf(t.image) === digestOf(pin) : null,
    }));
    tasks.push(...viewed);
    const other = current.filter((t) => pin && digestOf(t.image) !== digestOf(pin));
    if (other.length > 0) {
      imageDrift.push(service);
      const where = other.map((t) => `${t.image} on ${t.node}`).join(', ');
      drift.push(`service ${service} runs ${where} instead of ${pin}`);
    }
    const shortfall = replicaShortfall(service, f, current);
    if (shortfall) drift.push(shortfall);
    const missing = (f.replicas ?? current.length) - current.length;
    if (missing > 0) unscheduled[service] = missing;
  }
  return { tasks, drift, imageDrift, unscheduled };
}

/** "service backend runs 1 of 2 replicas (n2: rejected: no suitable node)", or null when every replica runs. */
function replicaShortfall(service: string, facts: ServiceFacts, current: readonly TaskFacts[]): string | null {
  const running = current.filter((t) => t.state === 'running').length;
  // A global service wants one task per node: those Swarm scheduled.
  const wanted = facts.replicas ?? current.length;
  if (running >= wanted) return null;
  const notRunning = current
    .filter((t) => t.state !== 'running')
    .map((t) => `${t.node}: ${t.state}${t.error ? `: ${t.error}` : ''}`);
  const unscheduled = wanted - current.length;
  if (unscheduled > 0) notRunning.push(`${unscheduled} not scheduled on any node`);
  return `service ${service} runs ${running} of ${wanted} replicas (${notRunning.join('; ')})`;
}

const byNode = (a: TaskFacts, b: TaskFacts) => a.node.localeCompare(b.node);
