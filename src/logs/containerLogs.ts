import { inputError, notFound } from '../errors.js';
import type { LogRead } from '../docker/logs.js';
import type { Redact } from '../util/redact.js';

export const DEFAULT_TAIL = 200;
/** Enough for an incident; a bigger answer would hold the daemon's memory for one request. */
export const MAX_TAIL = 5000;

/** What reading a service's logs needs: compose's services, Docker's containers and logs, the redactor. */
export interface LogsPorts {
  /** The services of the compose project, as compose reads its files (managed or not: db, redis…). */
  services(): Promise<string[]>;
  containers(service: string): Promise<Array<{ id: string; name: string; running: boolean }>>;
  read(containerId: string, options: { tail: number; follow: boolean }): Promise<LogRead>;
  redactor: Redact;
}

export interface LogsPlan {
  service: string;
  containerId: string;
  container: string;
  tail: number;
}

/** `--tail` / `?tail=`: a whole number of lines up to MAX_TAIL; absent means DEFAULT_TAIL. */
export function parseTail(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_TAIL;
  const n = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 1 && n <= MAX_TAIL))
    throw inputError(`tail: expected a whole number of lines from 1 to ${MAX_TAIL}, got "${raw.slice(0, 20)}"`);
  return n;
}

/**
 * Whose logs: the service must be one of the project's (404 naming it and the ones there are), with a
 * container; of a scaled service's containers the first running one, by name.
 */
export function planLogs(
  input: { service: string; tail: number },
  services: readonly string[],
  containers: ReadonlyArray<{ id: string; name: string; running: boolean }>,
): LogsPlan {
  const { service, tail } = input;
  if (!services.includes(service)) {
    throw notFound(
      `no service "${service.slice(0, 63)}" in the compose project (its services: ${services.join(', ')})`,
    );
  }
  const chosen = [...containers].sort(
    (a, b) => Number(b.running) - Number(a.running) || a.name.localeCompare(b.name),
  )[0];
  if (!chosen) throw notFound(`service "${service}" has no container (not started yet?)`);
  return { service, containerId: chosen.id, container: chosen.name, tail };
}

async function plan(ports: LogsPorts, service: string, tail: number): Promise<LogsPlan> {
  const services = await ports.services();
  // Docker is asked about containers only for a service that exists.
  const containers = services.includes(service) ? await ports.containers(service) : [];
  return planLogs({ service, tail }, services, containers);
}

/** The last `tail` lines of a service's container, each redacted (configured secrets masked). */
export async function recentLogs(
  ports: LogsPorts,
  input: { service: string; tail: number },
): Promise<{ container: string; lines: string[] }> {
  const p = await plan(ports, input.service, input.tail);
  const read = await ports.read(p.containerId, { tail: p.tail, follow: false });
  const lines: string[] = [];
  for await (const line of read.lines) lines.push(ports.redactor.redact(line));
  return { container: p.container, lines: lines.slice(-p.tail) };
}

/**
 * The last `tail` lines, then each new one as the container writes it, redacted; until the
 * container stops or `close` (the client went away, Ctrl-C, the daemon stopping).
 */
export async function followLogs(
  ports: LogsPorts,
  input: { service: string; tail: number },
): Promise<{ container: string; lines: AsyncIterable<string>; close(): void }> {
  const p = await plan(ports, input.service, input.tail);
  const read = await ports.read(p.containerId, { tail: p.tail, follow: true });
  const { redactor } = ports;
  async function* redacted() {
    for await (const line of read.lines) yield redactor.redact(line);
  }
  return { container: p.container, lines: redacted(), close: read.close };
}
