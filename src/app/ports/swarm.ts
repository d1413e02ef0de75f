import type { Runtime } from '../runtime.js';
import { diagnoseContainers } from '../../deploy/failureReport.js';
import { checkHealth } from '../../deploy/health.js';
import { ensurePinsPresent, preflight, pullTargetImages } from '../../deploy/images.js';
import type { DeployPorts, EnginePort } from '../../deploy/ports.js';
import { readPins } from '../../compose/pins.js';
import type { HostState } from '../../deploy/state.js';
import { headCommit } from '../../util/git.js';
import type { ImagePins } from '../../domain/images.js';
import { deployStack, renderProjectStack, scaleToZero } from '../../swarm/stack.js';
import { digestOf, readStackServices, swarmServiceProblem } from '../../swarm/tasks.js';

/**
 * The engine port on Docker Swarm (project.engine: swarm): the pipeline, the rollback and recovery run
 * unchanged on it. Images are pulled and checked on this manager as under compose; `up` is a
 * `docker stack deploy` of the files with the pins; health is every managed service's tasks on the pinned
 * digest, then health.url by the same rule. Containers (diagnosis, the database's task on this node, logs)
 * are found by the stack's labels (src/docker/labels.ts).
 */
export function swarmEngine(ctx: Runtime): EnginePort {
  const stack = () => ctx.config.project.stack ?? '';
  return {
    pull: (targets, onProgress) => pullTargetImages(ctx, targets, onProgress),
    ensurePresent: (pins, onProgress) => ensurePinsPresent(ctx, pins, onProgress),
    preflight: (pins) => preflight(ctx, pins),
    up: async (onLine) => {
      const pins = await currentPins(ctx);
      const file = await renderProjectStack(ctx.config, pins);
      for (const line of file.dropped) onLine(`stack file: dropped ${line}`);
      for (const service of file.stopFirst)
        onLine(`stack file: ${service} updates stop-first (a host-mode port allows one task per node)`);
      await deployStack(ctx.config, file, pins, ctx.redactor, onLine);
    },
    stop: (services, onLine) => scaleToZero(stack(), services, onLine),
    health: (pins) =>
      checkHealth(ctx, pins, async (p) => {
        const facts = await readStackServices(ctx.docker(), stack(), Object.keys(p));
        for (const [service, pinned] of Object.entries(p)) {
          const problem = swarmServiceProblem(service, facts[service], pinned);
          if (problem) return problem;
        }
        return null;
      }),
    diagnose: (step, error) => diagnoseContainers(ctx, step, error),
  };
}

/** The deploy ports of project.engine: swarm: the compose ones with the stack's engine and what-runs-now. */
export function onSwarm(ctx: Runtime, ports: DeployPorts): DeployPorts {
  return { ...ports, engine: swarmEngine(ctx), host: { ...ports.host, inspect: () => captureStackState(ctx) } };
}

/** What runs now under Swarm: HEAD, and each managed service's image as its spec pins it (on every node). */
export async function captureStackState(ctx: Runtime): Promise<HostState> {
  const commit = await headCommit(ctx.config.project.dir);
  const managed = Object.keys(ctx.config.services);
  const facts = await readStackServices(ctx.docker(), ctx.config.project.stack ?? '', managed);
  const images: ImagePins = {};
  for (const service of managed) {
    const image = facts[service]?.image;
    if (!image) continue;
    images[service] = withoutTag(image);
  }
  return { commit, images };
}

/** `repo:tag@sha256:…` (how Swarm records a resolved tag) as the pin `repo@sha256:…`. */
export function withoutTag(image: string): string {
  const at = image.indexOf('@');
  if (at < 0) return image;
  const name = image.slice(0, at);
  const colon = name.lastIndexOf(':');
  const repository = colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
  return `${repository}@${digestOf(image)}`;
}

/** The pins the next `up` deploys: the pin file, as compose reads it (the same file, rendered into the stack). */
async function currentPins(ctx: Runtime): Promise<ImagePins> {
  return (await readPins(ctx.config.stateDir)) ?? {};
}
