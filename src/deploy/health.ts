import type { Config } from '../config/index.js';
import type { DockerAccess } from './ports.js';
import { inspectImage, serviceContainers } from '../docker/images.js';
import { failed } from '../errors.js';
import type { ImagePins } from '../store/index.js';
import { healthRule, judgeHealth, probeIntervalMs, type HealthSample } from './healthRule.js';

/** The health check reads the containers and calls health.url. */
export type HealthPorts = DockerAccess & { config: Pick<Config, 'health'> };

/**
 * Every managed service has a running container of the pinned image, healthy where it has a
 * healthcheck, and `health.url`, if configured, answers 2xx: probed every interval until
 * `judgeHealth` (healthRule.ts) sees enough healthy probes in a row, or gives up naming what is wrong.
 * Deploy, rollback, the automatic rollback, recovery and the off-site restore all check through here; a
 * Swarm stack brings its own `servicesProblem` (its services' tasks, src/swarm/engine.ts).
 */
export async function checkHealth(
  ports: HealthPorts,
  pins: ImagePins,
  servicesProblem: (pins: ImagePins) => Promise<string | null> = (p) => containersProblem(ports, p),
): Promise<void> {
  const rule = healthRule(ports.config.health);
  const startedAt = Date.now();
  const samples: HealthSample[] = [];
  for (;;) {
    const problem = (await servicesProblem(pins)) ?? (await urlProblem(ports.config.health.url));
    samples.push({ at: Date.now(), problem });
    const verdict = judgeHealth(samples, rule, startedAt);
    if (verdict.state === 'healthy') return;
    if (verdict.state === 'unhealthy') throw failed(`unhealthy: ${verdict.reason}`);
    await sleep(probeIntervalMs(rule));
  }
}

async function urlProblem(url: string | undefined): Promise<string | null> {
  if (!url) return null;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000), redirect: 'manual' });
    await res.body?.cancel();
    return res.status >= 200 && res.status < 300 ? null : `${url} did not answer 2xx (HTTP ${res.status})`;
  } catch (e) {
    return `${url} did not answer 2xx (${(e as Error).message})`;
  }
}

async function containersProblem(ports: HealthPorts, pins: ImagePins): Promise<string | null> {
  const docker = ports.docker();
  const project = await ports.projectName();
  for (const [service, pinned] of Object.entries(pins)) {
    const containers = await serviceContainers(docker, project, service);
    if (containers.length === 0) return `service ${service} has no container`;
    const expectedId = (await inspectImage(docker, pinned))?.id;
    for (const c of containers) {
      if (!c.running) return `service ${service}: container ${c.name} is not running`;
      if (c.health !== 'none' && c.health !== 'healthy')
        return `service ${service}: container ${c.name} is ${c.health}`;
      if (expectedId && c.imageId !== expectedId)
        return `service ${service}: container ${c.name} does not run the pinned image`;
    }
  }
  return null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
