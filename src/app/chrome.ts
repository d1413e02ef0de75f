import { appStateWithoutDocker, currentStatus, type AppState, type CurrentStatus } from '../deploy/index.js';
import { operationNow, type StatusPorts } from '../deploy/status.js';
import { oneLine } from '../errors.js';
import type { Redact } from '../util/redact.js';

/** What runs, or why Docker could not say. */
export interface StatusRead {
  status: CurrentStatus | null;
  error: string | null;
}

/** What every page shows around its content: the operation that runs now, where the app is, and its state. */
export interface PageChrome {
  /** The operation holding the lock, with the deployment to follow when it is one. */
  busy: { operation: string; since: string; deploymentId: number | null } | null;
  /** `project.appUrl`, else the origin of `health.url`; null when neither is configured. */
  appUrl: string | null;
  /** What runs, asked of Docker once per request and only by a page that renders (not by assets or redirects). */
  status(): Promise<StatusRead>;
  /** The app's state (src/deploy/appState.ts), from that status; from the records alone when Docker cannot say. */
  appState(): Promise<AppState>;
}

/** The lock, the records, Docker and the config: all the chrome reads. */
export interface ChromePorts extends StatusPorts {
  config: StatusPorts['config'] & Parameters<typeof appUrlOf>[0];
  redactor: Redact;
}

export function readChrome(ports: ChromePorts): PageChrome {
  const { operation } = operationNow(ports.store);
  let read: Promise<StatusRead> | undefined;
  const status = () => (read ??= readStatus(ports));
  return {
    busy:
      operation?.state === 'running'
        ? { operation: operation.operation, since: operation.acquiredAt, deploymentId: operation.deploymentId }
        : null,
    appUrl: appUrlOf(ports.config),
    status,
    appState: async () => {
      const r = await status();
      return r.status?.app ?? appStateWithoutDocker(ports.store, r.error ?? 'Docker did not answer');
    },
  };
}

/** What runs; a Docker that cannot be asked is one redacted line, so the rest of the page still shows. */
export function readStatus(ports: StatusPorts & { redactor: Redact }): Promise<StatusRead> {
  return currentStatus(ports).then(
    (s) => ({ status: s, error: null }),
    (e: unknown) => ({ status: null, error: ports.redactor.redact(oneLine(e)) }),
  );
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
