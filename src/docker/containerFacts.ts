import type { DockerClient } from './client.js';
import { listLabelled } from './images.js';
import { projectLabelFilters, serviceOfLabels } from './labels.js';

/** One health check as Docker keeps it. */
export interface HealthCheckResult {
  /** ISO 8601, when the check ended. */
  at: string;
  exitCode: number;
  output: string;
}

/** What Docker says about one container of a compose project. */
export interface ContainerFacts {
  id: string;
  name: string;
  service: string;
  /** Docker's state: running, exited, restarting, created, dead, paused. */
  state: string;
  exitCode: number | null;
  oomKilled: boolean;
  /** healthy | unhealthy | starting | none (no healthcheck). */
  health: string;
  /** Oldest first, as Docker keeps them (its last five). */
  healthChecks: HealthCheckResult[];
}

/** Running, and healthy or without a healthcheck: what `compose up --wait` waits for. */
export const isReady = (c: ContainerFacts): boolean =>
  c.state === 'running' && (c.health === 'none' || c.health === 'healthy');

/** A health check's output in one line: its first non-empty line, cut at 200 characters. */
export const checkOutputLine = (text: string): string =>
  text
    .split('\n')
    .map((l) => l.trim())
    .find(Boolean)
    ?.slice(0, 200) ?? '';

/**
 * The project's containers (of `services` only, when given), running or not, each inspected for its state and health
 * checks, sorted by service and name. `cleanOutput` treats each check's output before it is kept (a redactor).
 */
export async function readProjectContainers(
  docker: DockerClient,
  project: string,
  options: { services?: readonly string[]; cleanOutput?: (text: string) => string } = {},
): Promise<ContainerFacts[]> {
  const clean = options.cleanOutput ?? ((text: string) => text.trim());
  // A compose project's containers, or a swarm stack's tasks on this node (src/docker/labels.ts).
  const list = await listLabelled(docker, projectLabelFilters(project), { all: true });
  const wanted = options.services;
  const selected = wanted ? list.filter((c) => wanted.includes(serviceOfLabels(c.Labels, project) ?? '')) : list;
  const facts = await Promise.all(
    selected.map(async (c): Promise<ContainerFacts> => {
      const info = await docker.getContainer(c.Id).inspect();
      const health = info.State.Health as
        | { Status?: string; Log?: Array<{ End: string; ExitCode: number; Output: string }> }
        | undefined;
      return {
        id: c.Id,
        name: info.Name.replace(/^\//, ''),
        service: serviceOfLabels(info.Config.Labels, project) ?? '?',
        state: info.State.Status,
        exitCode: info.State.Running ? null : info.State.ExitCode,
        oomKilled: info.State.OOMKilled,
        health: health?.Status ?? 'none',
        healthChecks: (health?.Log ?? []).map((h) => ({ at: h.End, exitCode: h.ExitCode, output: clean(h.Output) })),
      };
    }),
  );
  return facts.sort((a, b) => a.service.localeCompare(b.service) || a.name.localeCompare(b.name));
}
