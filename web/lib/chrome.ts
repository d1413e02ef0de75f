import type { Store } from '../../src/store/index.js';

/** What every page shows around its content: the operation that runs now, and where the app is. */
export interface PageChrome {
  /** The operation holding the lock, with the deployment to follow when it is one. */
  busy: { operation: string; since: string; deploymentId: number | null } | null;
  /** `project.appUrl`, else the origin of `health.url`; null when neither is configured. */
  appUrl: string | null;
}

/** The lock, the running deployment and the config: all the chrome reads. */
export interface ChromePorts {
  config: Parameters<typeof appUrlOf>[0];
  store: Pick<Store, 'lock' | 'deployments'>;
}

export function readChrome(ports: ChromePorts): PageChrome {
  const lock = ports.store.lock.holder();
  const busy = lock && !ports.store.lock.isStale(lock) ? lock : null;
  return {
    busy: busy && {
      operation: busy.operation,
      since: busy.acquiredAt,
      deploymentId: ports.store.deployments.unfinished().at(-1)?.id ?? null,
    },
    appUrl: appUrlOf(ports.config),
  };
}

/** The configured app address wins; health.url's origin is a good guess (the health path is not the app's front page). */
export function appUrlOf(config: { project: { appUrl?: string }; health: { url?: string } }): string | null {
  if (config.project.appUrl) return config.project.appUrl;
  if (!config.health.url) return null;
  try {
    return `${new URL(config.health.url).origin}/`;
  } catch {
    return null;
  }
}
