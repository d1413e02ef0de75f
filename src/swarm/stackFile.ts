import type { ImagePins } from '../domain/images.js';

/** The project as `docker compose config --format json` renders it: merged, interpolated, long syntax. */
export interface ComposedProject {
  name?: string;
  services: Record<string, Record<string, unknown>>;
  networks?: Record<string, Record<string, unknown> | null>;
  volumes?: Record<string, Record<string, unknown> | null>;
  secrets?: Record<string, unknown>;
  configs?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface StackFile {
  /** What `docker stack deploy -c` reads (JSON is YAML). */
  document: { services: Record<string, Record<string, unknown>>; [key: string]: unknown };
  /** `service.key: why`, for each key of the project that Swarm would ignore or refuse, so the plan can show it. */
  dropped: string[];
  /** Services whose update order is stop-first because a host-mode port forbids two tasks side by side. */
  stopFirst: string[];
}

/** Service keys Swarm honours (compose file v3 as `docker stack deploy` reads it); the others are dropped. */
const SWARM_SERVICE_KEYS = new Set([
  'cap_add',
  'cap_drop',
  'command',
  'configs',
  'credential_spec',
  'deploy',
  'dns',
  'dns_search',
  'entrypoint',
  'environment',
  'extra_hosts',
  'healthcheck',
  'hostname',
  'image',
  'init',
  'isolation',
  'labels',
  'logging',
  'networks',
  'ports',
  'read_only',
  'secrets',
  'stop_grace_period',
  'stop_signal',
  'stdin_open',
  'sysctls',
  'tmpfs',
  'tty',
  'ulimits',
  'user',
  'volumes',
  'working_dir',
]);

const WHY: Record<string, string> = {
  build: 'Swarm never builds; the pinned image runs',
  container_name: 'Swarm names the tasks',
  depends_on: 'Swarm starts services in any order; healthchecks and retries take its place',
  restart: 'Swarm restarts tasks by deploy.restart_policy',
  expose: 'every port is reachable on the stack network',
};

/** Keys compose writes on its own (defaults of its rendering), not worth a line in the plan. */
const COMPOSE_RENDERING = new Set(['entrypoint', 'command', 'pull_policy']);

const TOP_LEVEL = ['services', 'networks', 'volumes', 'secrets', 'configs'] as const;

/**
 * The one stack file Swarm accepts for the project: compose's rendering of its files with the pins,
 * each managed service's image set to its pin and its updates started first (a new task is healthy
 * before the old one stops) unless it publishes a host-mode port; keys Swarm ignores or refuses are
 * dropped and named. Pure: the plan and `up` render the same file.
 */
export function renderStackFile(composed: ComposedProject, pins: ImagePins): StackFile {
  const dropped: string[] = [];
  const stopFirst: string[] = [];
  const project = composed.name ?? '';
  const document: StackFile['document'] = { services: {} };
  for (const key of Object.keys(composed)) {
    if (key !== 'name' && !(TOP_LEVEL as readonly string[]).includes(key) && !key.startsWith('x-'))
      dropped.push(`${key}: not a stack file section`);
  }
  for (const [name, service] of Object.entries(composed.services ?? {})) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(service)) {
      if (value === null && COMPOSE_RENDERING.has(key)) continue;
      if (!SWARM_SERVICE_KEYS.has(key) && !key.startsWith('x-')) {
        dropped.push(`${name}.${key}: ${WHY[key] ?? 'Swarm does not support it'}`);
        continue;
      }
      out[key] = value;
    }
    if (Array.isArray(out.ports))
      out.ports = out.ports.map((p) => swarmPort(name, p as Record<string, unknown>, dropped));
    if (Array.isArray(out.volumes)) out.volumes = out.volumes.map((v) => swarmVolume(v as Record<string, unknown>));
    if (out.healthcheck) out.healthcheck = swarmHealthcheck(name, out.healthcheck as Record<string, unknown>, dropped);
    const pin = pins[name];
    if (pin) {
      out.image = pin;
      const hostPort = ((out.ports as Record<string, unknown>[] | undefined) ?? []).some((p) => p.mode === 'host');
      if (hostPort) stopFirst.push(name);
      const deploy = { ...((out.deploy as Record<string, unknown> | undefined) ?? {}) };
      deploy.update_config = {
        ...((deploy.update_config as Record<string, unknown> | undefined) ?? {}),
        order: hostPort ? 'stop-first' : 'start-first',
      };
      out.deploy = deploy;
    }
    document.services[name] = out;
  }
  for (const section of ['networks', 'volumes'] as const) {
    const entries = composed[section];
    if (!entries) continue;
    document[section] = Object.fromEntries(
      Object.entries(entries).map(([key, spec]) => [key, withoutDefaultName(spec, `${project}_${key}`)]),
    );
  }
  for (const section of ['secrets', 'configs'] as const) if (composed[section]) document[section] = composed[section];
  return { document, dropped, stopFirst };
}

/** Swarm publishes a port on every address of the node: a host_ip cannot be kept, and `published` is a number. */
function swarmPort(service: string, port: Record<string, unknown>, dropped: string[]): Record<string, unknown> {
  const { host_ip, app_protocol: _a, name: _n, ...rest } = port;
  if (host_ip !== undefined)
    dropped.push(`${service}.ports.host_ip ${String(host_ip)}: Swarm publishes on every address`);
  if (typeof rest.published === 'string') rest.published = Number(rest.published.split('-')[0]);
  return rest;
}

/** Compose's bind options (create_host_path) are its own; Swarm refuses them. */
function swarmVolume(volume: Record<string, unknown>): Record<string, unknown> {
  const { bind, ...rest } = volume;
  const propagation = (bind as { propagation?: string } | undefined)?.propagation;
  return propagation ? { ...rest, bind: { propagation } } : rest;
}

function swarmHealthcheck(service: string, check: Record<string, unknown>, dropped: string[]): Record<string, unknown> {
  const { start_interval, ...rest } = check;
  if (start_interval !== undefined) dropped.push(`${service}.healthcheck.start_interval: Swarm does not support it`);
  return rest;
}

/** Compose names a network or volume `<project>_<key>` itself; left unnamed, the stack names it `<stack>_<key>`. */
function withoutDefaultName(spec: Record<string, unknown> | null, defaultName: string): Record<string, unknown> | null {
  if (!spec || spec.name !== defaultName) return spec;
  const { name: _name, ...rest } = spec;
  return rest;
}
