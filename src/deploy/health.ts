import type { Config } from '../config/index.js';
import type { DockerAccess } from './ports.js';
import { inspectImage, serviceContainers } from '../docker/images.js';
import { failed } from '../errors.js';
import type { ImagePins } from '../store/index.js';

/** The health check reads the containers and calls health.url. */
export type HealthPorts = DockerAccess & { config: Pick<Config, 'health'> };

/**
 * Every managed service has a running container of the pinned image, healthy
 * where it has a healthcheck; then `health.url`, if configured, answers 2xx.
 * Polls until `health.timeoutSeconds`, then fails naming what is wrong.
 */
export async function checkHealth(ports: HealthPorts, pins: ImagePins): Promise<void> {
  const deadline = Date.now() + ports.config.health.timeoutSeconds * 1000;
  let problem = await servicesProblem(ports, pins);
  while (problem && Date.now() < deadline) {
    await sleep(500);
    problem = await servicesProblem(ports, pins);
  }
  if (problem) throw failed(`unhealthy: ${problem}`);

  const url = ports.config.health.url;
  if (!url) return;
  let last = '';
  while (Date.now() < deadline || last === '') {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000), redirect: 'manual' });
      if (res.status >= 200 && res.status < 300) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() >= deadline) break;
    await sleep(500);
  }
  throw failed(`unhealthy: ${url} did not answer 2xx within ${ports.config.health.timeoutSeconds}s (${last})`);
}

async function servicesProblem(ports: HealthPorts, pins: ImagePins): Promise<string | null> {
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
