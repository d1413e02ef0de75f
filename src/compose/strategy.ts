/**
 * How each managed service is switched to its new container, decided from the compose config alone (pure, so each
 * reason has a fast test). Start-first starts the new container beside the old one and drains the old one once the
 * new one is healthy; that needs compose to accept a second container of the service (no fixed name, no host port),
 * a healthcheck to wait for, the service's DNS name to drain by, and one container to replace.
 */

export type SwitchStrategy = 'start-first' | 'stop-first';
export type StrategySetting = SwitchStrategy | 'auto';

/** The part of a service in `docker compose config --format json` that the rule reads. */
export interface ComposeServiceShape {
  image?: string;
  container_name?: string;
  healthcheck?: { test?: unknown; disable?: boolean };
  ports?: Array<{ published?: string | number; target?: number }>;
  scale?: number;
  deploy?: { replicas?: number } | null;
  network_mode?: string;
  volumes?: Array<{ type?: string; source?: string; target?: string }>;
}

export interface ServiceSwitch {
  service: string;
  strategy: SwitchStrategy;
  /** Why stop-first (null for start-first): shown in the plan. */
  reason: string | null;
}

/** Why start-first cannot work for this service, or null when it can. */
export function startFirstObstacle(s: ComposeServiceShape): string | null {
  if (s.container_name) return `container_name ${s.container_name} allows one container only`;
  const port = s.ports?.[0];
  if (port) return `publishes port ${port.published ? `${port.published}:` : ''}${port.target ?? ''} on the host`;
  const scale = s.deploy?.replicas ?? s.scale ?? 1;
  if (scale !== 1) return `runs ${scale} containers (start-first replaces one)`;
  if (s.network_mode) return `network_mode ${s.network_mode}: no DNS name to drain it from`;
  const test = s.healthcheck?.test;
  if (!test || s.healthcheck?.disable || (Array.isArray(test) && test[0] === 'NONE'))
    return 'no healthcheck in the compose file to wait for';
  const anonymous = s.volumes?.find((v) => v.type === 'volume' && !v.source);
  if (anonymous) return `anonymous volume ${anonymous.target ?? ''} (compose hands it to the recreated container)`;
  return null;
}

/** The strategy of one service: the configured one, else (`auto`) start-first where it can work. */
export function chooseStrategy(service: string, s: ComposeServiceShape, setting: StrategySetting): ServiceSwitch {
  if (setting === 'stop-first') return { service, strategy: 'stop-first', reason: 'configured (strategy: stop-first)' };
  const obstacle = startFirstObstacle(s);
  if (!obstacle) return { service, strategy: 'start-first', reason: null };
  const why = setting === 'start-first' ? `start-first is configured but cannot work: ${obstacle}` : obstacle;
  return { service, strategy: 'stop-first', reason: why };
}

/** Every managed service's switch, in name order; a managed service compose does not know is switched stop-first. */
export function planSwitches(
  services: Record<string, ComposeServiceShape>,
  settings: Record<string, StrategySetting>,
): ServiceSwitch[] {
  return Object.keys(settings)
    .sort()
    .map((name) => {
      const shape = services[name];
      if (!shape) return { service: name, strategy: 'stop-first', reason: 'not in the compose files' };
      return chooseStrategy(name, shape, settings[name] ?? 'auto');
    });
}

/** Managed service → its configured strategy, from the config's `services`. */
export const managedStrategies = (services: Record<string, { strategy: StrategySetting }>) =>
  Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s.strategy]));
