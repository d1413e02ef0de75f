import { readComposeModel } from '../compose/project.js';
import { registryAuth } from '../docker/auth.js';
import { registryHost } from '../docker/images.js';
import { imageExists } from '../docker/registry.js';
import { oneLine } from '../errors.js';
import { matchingStacks, readMembership, readNodes, readStackServiceList } from '../swarm/cluster.js';
import { readStackServices } from '../swarm/tasks.js';
import type { DoctorPorts } from './checks.js';
import {
  dbPlacementVerdict,
  isLoopbackRegistry,
  managerVerdict,
  pass,
  type RegistryFacts,
  registryCredentialsVerdict,
  stackVerdict,
  type Verdict,
} from './swarmRules.js';

/** The checks only project.engine: swarm has: each reads its facts from the engine, swarmRules.ts decides. */

export async function swarmManagerCheck(ports: DoctorPorts): Promise<Verdict> {
  return managerVerdict(await readMembership(ports.docker()));
}

export async function swarmStackCheck(ports: DoctorPorts): Promise<Verdict> {
  const stack = ports.config.project.stack ?? '';
  const images = await composeImages(ports);
  const all = await readStackServiceList(ports.docker());
  const elsewhere = matchingStacks(images, all).filter((s) => s !== stack);
  return stackVerdict(
    stack,
    Object.keys(images),
    all.filter((s) => s.stack === stack),
    elsewhere,
  );
}

export async function dbPlacementCheck(ports: DoctorPorts): Promise<Verdict> {
  const db = ports.config.database;
  if (!('service' in db) || !db.service) return pass('database.url: the database is not a service of the stack');
  const docker = ports.docker();
  const [membership, nodes] = await Promise.all([readMembership(docker), readNodes(docker)]);
  const thisNode = nodes.find((n) => n.id === membership.nodeId)?.hostname ?? membership.hostname;
  const stack = ports.config.project.stack ?? '';
  const facts = (await readStackServices(docker, stack, [db.service]))[db.service];
  const runningOn = (facts?.tasks ?? [])
    .filter((t) => t.desired === 'running' && t.state === 'running')
    .map((t) => t.node);
  const constraints = facts?.constraints ?? [];
  return dbPlacementVerdict({
    service: db.service,
    thisNode,
    runningOn,
    constraints,
    otherNodes: Math.max(nodes.length - 1, 0),
  });
}

export async function registryCredentialsCheck(ports: DoctorPorts): Promise<Verdict> {
  const docker = ports.docker();
  const nodes = await readNodes(docker);
  const otherNodes = Math.max(nodes.length - 1, 0);
  const byHost = new Map<string, RegistryFacts & { image: string }>();
  for (const [service, s] of Object.entries(ports.config.services)) {
    const host = registryHost(s.image);
    const known = byHost.get(host);
    if (known) {
      known.services.push(service);
      continue;
    }
    let credentials: RegistryFacts['credentials'] = null;
    let problem: string | null = null;
    try {
      if (registryAuth(ports.config, s.image, ports.redactor))
        credentials = ports.config.registries[host] ? 'registries' : 'docker login';
    } catch (e) {
      problem = oneLine(e);
    }
    const loopback = isLoopbackRegistry(host);
    byHost.set(host, { host, services: [service], loopback, credentials, problem, anonymous: null, image: s.image });
  }
  for (const r of byHost.values()) {
    if (r.loopback || r.credentials || r.problem || otherNodes === 0) continue;
    // Asked without credentials: any answer about the image (there or not) means it needs none to read.
    const found = await imageExists(docker, `${r.image}:latest`);
    r.anonymous = found.state !== 'unknown';
  }
  return registryCredentialsVerdict([...byHost.values()], otherNodes);
}

/** Every service of the compose files (with the pins) and its image. */
async function composeImages(ports: DoctorPorts): Promise<Record<string, string>> {
  const { services } = await readComposeModel(ports.config, []);
  return Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s.image ?? '']));
}
