import type Docker from 'dockerode';
import type { DockerClient } from '../docker/client.js';
import { readProjectContainers } from '../docker/containerFacts.js';
import { failed, oneLine } from '../errors.js';
import type { ComposeModel } from './project.js';
import { planSwitches, type ServiceSwitch, type StrategySetting } from './strategy.js';
import { withWaitProgress } from './waitProgress.js';

/** What the switch uses: compose (project files and pin file applied), the engine, and the managed services. */
export interface SwitchPorts {
  readModel(): Promise<ComposeModel>;
  /** `docker compose ARGS`, output lines to `onLine`; throws naming the failure. */
  compose(args: string[], onLine: (line: string) => void): Promise<void>;
  docker(): DockerClient;
  projectName(): Promise<string>;
  /** Managed service → its configured strategy. */
  managed: Record<string, StrategySetting>;
  timeoutSeconds: number;
  /** Tests only: the process SIGKILLs itself at a point named so (SWITCHYARD_FAULT_KILL_AT), as at a step boundary. */
  faultPoint?: (name: string) => void;
}

const UP = ['up', '--detach', '--no-build', '--remove-orphans'];

/**
 * Brings every service to what the compose files and the pin file say, recreating only the managed services
 * (`--no-deps`: never the proxy, the database or the cache, which are only started if they are not running).
 * Stop-first services are recreated by compose; each start-first service gets its new container beside the old one,
 * and the old one is drained once the new one is healthy (startFirst). Deploy, rollback, the automatic rollback and
 * crash recovery all switch through here. Returns what it decided per managed service.
 */
export async function switchServices(ports: SwitchPorts, onLine: (line: string) => void): Promise<ServiceSwitch[]> {
  const model = await ports.readModel();
  const plan = planSwitches(model.services, ports.managed);
  const wait = ['--wait', '--wait-timeout', String(ports.timeoutSeconds)];
  // The other services are left alone when they run (one compose run less per switch): started if not, never recreated.
  const running = await runningServices(ports.docker(), await ports.projectName());
  const others = Object.keys(model.services).filter((s) => !Object.hasOwn(ports.managed, s) && !running.has(s));
  if (others.length) await composeWaiting(ports, [...UP, '--no-recreate', '--no-deps', ...wait], others, onLine);
  const stopFirst = plan.filter((p) => p.strategy === 'stop-first' && model.services[p.service]).map((p) => p.service);
  if (stopFirst.length) await composeWaiting(ports, [...UP, '--no-deps', ...wait], stopFirst, onLine);
  for (const p of plan)
    if (p.strategy === 'start-first') await startFirst(ports, p.service, model.hashes[p.service] ?? '', onLine);
  return plan;
}

/** `docker compose UP_ARGS SERVICES` (an `up --wait`), saying every few seconds which of them are not ready yet. */
async function composeWaiting(
  ports: SwitchPorts,
  upArgs: string[],
  services: string[],
  onLine: (line: string) => void,
): Promise<void> {
  const project = await ports.projectName();
  await withWaitProgress(
    () => ports.compose([...upArgs, ...services], onLine),
    () => readProjectContainers(ports.docker(), project, { services }),
    onLine,
  );
}

interface Replica {
  id: string;
  name: string;
  running: boolean;
  hash: string;
}

/**
 * One start-first switch. The container whose config hash is what compose would create now is the current one:
 * when one runs, it stays and any other (a switch interrupted by a crash) is drained, so recovery keeps exactly the
 * one its restored pins describe. Otherwise a second container of the new config starts beside the one running
 * (compose's own `--scale`, so it carries compose's labels, networks and aliases); until it is healthy nothing else
 * changes, and on any failure it is removed and the old one serves on.
 */
async function startFirst(ports: SwitchPorts, service: string, want: string, onLine: (line: string) => void) {
  const docker = ports.docker();
  const project = await ports.projectName();
  const list = () => replicas(docker, project, service);
  const before = await list();
  const running = before.filter((r) => r.running);
  const current = running.find((r) => r.hash === want);
  if (current) {
    for (const r of before.filter((r) => r.id !== current.id)) await drain(docker, r, onLine, service);
    onLine(`${service}: ${current.name} already runs this config`);
    return;
  }
  if (running.length !== 1) {
    // Nothing serving to keep (stopped for a database restore, or never started), or several of an old config.
    onLine(
      `${service}: ${running.length} running container(s) of an older config than ${want.slice(0, 12)}; compose recreates it`,
    );
    await composeWaiting(
      ports,
      [...UP, '--no-deps', '--wait', '--wait-timeout', String(ports.timeoutSeconds)],
      [service],
      onLine,
    );
    return;
  }
  const old = running[0]!;
  for (const r of before.filter((r) => !r.running)) await drain(docker, r, onLine, service);
  onLine(
    `${service}: starting a new container beside ${old.name} (config ${old.hash.slice(0, 12)} -> ${want.slice(0, 12)})`,
  );
  let fresh: Replica | undefined;
  try {
    await ports.compose([...UP, '--no-deps', '--no-recreate', '--scale', `${service}=2`, service], onLine);
    const started = (await list()).find((r) => r.id !== old.id);
    if (!started) throw failed(`compose started no second container of ${service}`);
    fresh = started;
    await withWaitProgress(
      () => untilHealthy(docker, started, ports.timeoutSeconds * 1000),
      async () =>
        (await readProjectContainers(docker, project, { services: [service] })).filter((c) => c.id === started.id),
      onLine,
    );
  } catch (e) {
    for (const r of (await list()).filter((r) => r.id !== old.id)) await remove(docker, r.id);
    throw failed(
      `${service}: the new container did not become healthy (${oneLine(e)}); removed it, ${old.name} serves on`,
      e,
    );
  }
  onLine(`${service}: ${fresh.name} is healthy; draining ${old.name}`);
  ports.faultPoint?.(`switch ${service}: drain`);
  await drain(docker, old, onLine, service);
}

/**
 * Stopped with its own grace period (compose's stop_grace_period): SIGTERM, on which a web server stops accepting and
 * finishes the requests it has; Docker's DNS drops its address when it exits; then removed. Not taken off its
 * networks first: that cuts every connection it still serves (the proxy waits for an answer that never comes) and its
 * own to the database. A proxy retries the connections it refuses meanwhile (Caddy: lb_try_duration).
 */
async function drain(docker: DockerClient, r: Replica, onLine: (line: string) => void, service: string) {
  const container = docker.getContainer(r.id);
  if (r.running) await container.stop().catch((e: unknown) => ignoreGone(e));
  await remove(docker, r.id);
  onLine(`${service}: ${r.name} drained and removed`);
}

async function remove(docker: DockerClient, id: string): Promise<void> {
  await docker
    .getContainer(id)
    .remove({ force: true })
    .catch((e: unknown) => ignoreGone(e));
}

/** 304 (already stopped) and 404 (already gone) are what we wanted anyway. */
function ignoreGone(e: unknown): void {
  const status = (e as { statusCode?: number }).statusCode;
  if (status !== 304 && status !== 404) throw e;
}

/** The services of the project with a running container. */
async function runningServices(docker: DockerClient, project: string): Promise<Set<string>> {
  const list = await docker.listContainers({ filters: { label: [`com.docker.compose.project=${project}`] } });
  return new Set(list.map((c) => c.Labels['com.docker.compose.service'] ?? ''));
}

async function replicas(docker: DockerClient, project: string, service: string): Promise<Replica[]> {
  const list: Docker.ContainerInfo[] = await docker.listContainers({
    all: true,
    filters: { label: [`com.docker.compose.project=${project}`, `com.docker.compose.service=${service}`] },
  });
  return list.map((c) => ({
    id: c.Id,
    name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
    running: c.State === 'running',
    hash: c.Labels['com.docker.compose.config-hash'] ?? '',
  }));
}

async function untilHealthy(docker: DockerClient, r: Replica, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = (await docker.getContainer(r.id).inspect()).State;
    if (!state.Running) throw failed(`${r.name} exited with code ${state.ExitCode}`);
    const health = state.Health;
    if (health?.Status === 'healthy') return;
    if (health?.Status === 'unhealthy') {
      const last = health.Log?.at(-1)?.Output?.trim();
      throw failed(`${r.name} is unhealthy${last ? `: ${oneLine(last).slice(0, 200)}` : ''}`);
    }
    if (Date.now() > deadline) throw failed(`${r.name} was not healthy after ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
