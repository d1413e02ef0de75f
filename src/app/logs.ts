import { followLogs, parseTail, recentLogs, type LogsPorts } from '../logs/containerLogs.js';
import { contextLogsPorts } from './ports/logs.js';
import type { RuntimeSource } from './runtime.js';

export { LogFollows } from '../logs/follows.js';

/** A service's last lines, as read now. */
export interface ServiceLog {
  service: string;
  container: string;
  lines: string[];
  tail: number;
}

/** The Logs page: the project's services, and the one shown (null on the page that lists them). */
export interface LogsPage {
  services: string[];
  shown: ServiceLog | null;
}

/** A followed log: redacted lines until the container stops or `close`. */
export interface FollowedLog {
  container: string;
  lines: AsyncIterable<string>;
  close(): void;
}

/** Services' logs: read and follow. `tail` is as received (argv, query): absent means the default. */
export class Logs {
  constructor(private readonly runtime: RuntimeSource) {}

  /** The last lines of a service's container, configured secrets masked. */
  async recent(service: string, tail?: string): Promise<ServiceLog> {
    const lines = parseTail(tail);
    return { service, ...(await recentLogs(contextLogsPorts(this.runtime()), { service, tail: lines })), tail: lines };
  }

  /** The last lines, then each new one until the container stops or the follower closes it. */
  async follow(service: string, tail?: string): Promise<FollowedLog> {
    const lines = parseTail(tail);
    return followLogs(contextLogsPorts(this.runtime()), { service, tail: lines });
  }

  /** The Logs page: compose is asked for the services once, also to check the one shown. */
  async page(shown?: { service: string; tail?: string }): Promise<LogsPage> {
    const tail = shown && parseTail(shown.tail);
    const base = contextLogsPorts(this.runtime());
    const services = await base.services();
    if (!shown || tail === undefined) return { services, shown: null };
    const ports: LogsPorts = { ...base, services: async () => services };
    const { container, lines } = await recentLogs(ports, { service: shown.service, tail });
    return { services, shown: { service: shown.service, container, lines, tail } };
  }
}
