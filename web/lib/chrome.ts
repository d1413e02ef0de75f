import type { Context } from '../../src/context.js';

/** What every page shows around its content: the operation that runs now, and where the app is. */
export interface PageChrome {
  /** The operation holding the lock, with the deployment to follow when it is one. */
  busy: { operation: string; since: string; deploymentId: number | null } | null;
  /** `project.appUrl`, else the origin of `health.url`; null when neither is configured. */
  appUrl: string | null;
}

export function readChrome(ctx: Context): PageChrome {
  const lock = ctx.store.lock.holder();
  const busy = lock && !ctx.store.lock.isStale(lock) ? lock : null;
  return {
    busy: busy && {
      operation: busy.operation,
      since: busy.acquiredAt,
      deploymentId: ctx.store.deployments.unfinished().at(-1)?.id ?? null,
    },
    appUrl: appUrlOf(ctx.config),
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
