import type { Config } from '../config/index.js';
import type { DockerAccess } from './ports.js';
import { readPins } from '../compose/pins.js';
import { inspectImage, serviceContainers } from '../docker/images.js';
import type { Deployment, LockHolder, Store } from '../store/index.js';

/** The status reads the record of what was deployed, the pins, the containers and the lock. */
export type StatusPorts = DockerAccess & {
  config: Pick<Config, 'services' | 'stateDir'>;
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

export interface CurrentStatus {
  deployment: Pick<Deployment, 'id' | 'ref' | 'commit' | 'tag' | 'actor' | 'finishedAt' | 'images'> | null;
  services: ServiceStatus[];
  drift: string[];
  operation: LockHolder | null;
}

/** What is deployed according to switchyard, and what actually runs according to Docker. */
export async function currentStatus(ports: StatusPorts): Promise<CurrentStatus> {
  const current = ports.store.deployments.current();
  const pins = current?.images ?? (await readPins(ports.config.stateDir)) ?? {};
  const docker = ports.docker();
  const project = await ports.projectName();
  const services: ServiceStatus[] = [];
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
    const drift = pinned !== null && described.some((c) => c.imageId !== pinnedId);
    services.push({ name, pinned, containers: described.map(({ imageId: _id, ...c }) => c), drift });
  }
  const lock = ports.store.lock.holder();
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
    drift: services
      .filter((s) => s.drift)
      .map((s) => `service ${s.name} runs ${s.containers.map((c) => c.image).join(', ')} instead of ${s.pinned}`),
    operation: lock && !ports.store.lock.isStale(lock) ? lock : null,
  };
}
