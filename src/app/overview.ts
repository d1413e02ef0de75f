import type { Config } from '../config/index.js';
import { appStateWithoutDocker, currentStatus, type CurrentStatus } from '../deploy/index.js';
import { probeDaemon, type DaemonProbe } from '../doctor/daemonProbe.js';
import { readTagNames, versionLabel } from '../versions/naming.js';
import { readChrome, readStatus, type PageChrome, type StatusRead } from './chrome.js';
import { type AppOverview, readOverview } from './overviewPage.js';
import type { RuntimeSource } from './runtime.js';

export type { AppAction, AppHealth, AppState, CurrentStatus, ServiceStatus } from '../deploy/index.js';
export type { DaemonProbe } from '../doctor/daemonProbe.js';
export type { NodeTask } from '../swarm/nodeView.js';
export type { PageChrome, StatusRead } from './chrome.js';
export type { AppOverview } from './overviewPage.js';
// The UI's navigation hides links by the role a route needs (src/server/roles.ts), compared by the one rank.
// Shared by every area's forms (web/lib/form.ts); here until index.ts exports it.

/** The notification settings as the overview shows them to operators. */
export type NotifySettings = Config['notify'];

/** `switchyard status`: what runs (or why Docker could not say), the app's state, the daemon, the deployed name. */
export interface HostStatus extends StatusRead {
  /** From the status, else from the records alone. */
  app: CurrentStatus['app'];
  daemon: DaemonProbe;
  /** The deployed version by its tag (naming.ts) or short sha; null when nothing is deployed or Docker could not say. */
  deployedName: string | null;
}

/** The app's state: the overview, status, the current version, what every page's chrome shows. */
export class Overview {
  constructor(private readonly runtime: RuntimeSource) {}

  /** Everything the first page shows; `status` is the page chrome's, so Docker is asked once per request. */
  page(status?: () => Promise<StatusRead>): Promise<AppOverview> {
    return readOverview(this.runtime(), status);
  }

  /** What every page shows around its content; Docker is asked only when a page renders. */
  chrome(): PageChrome {
    return readChrome(this.runtime());
  }

  /** The `current-version` answer: what was deployed, what runs, drift, the operation, the app's state. */
  currentVersion(): Promise<CurrentStatus> {
    return currentStatus(this.runtime());
  }

  /** What `status` prints: read from SQLite and Docker (no daemon needed), and whether the daemon answers. */
  async status(): Promise<HostStatus> {
    const runtime = this.runtime();
    const [read, daemon] = await Promise.all([readStatus(runtime), probeDaemon(runtime.config.server.listen)]);
    const app = read.status?.app ?? appStateWithoutDocker(runtime.store, read.error ?? 'Docker did not answer');
    const d = read.status?.deployment;
    const deployedName = d ? versionLabel(d.commit, await readTagNames(runtime.config.project.dir), d.tag) : null;
    return { ...read, app, daemon, deployedName };
  }

  /** The configured outcome webhooks (their URLs' credentials are masked by the view). */
  notifySettings(): NotifySettings {
    return this.runtime().config.notify;
  }
}
