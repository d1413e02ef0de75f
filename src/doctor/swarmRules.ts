import { swarmServiceName } from '../docker/labels.js';
import type { StackService, SwarmMembership } from '../swarm/cluster.js';

/** A check's answer: the checklist adds its name. */
export interface Verdict {
  ok: boolean;
  /** What was found, one line. */
  detail: string;
  /** What to do about a failure (or a warning). */
  fix?: string;
  /** Passed, with something to know: printed WARN, does not fail doctor. */
  warn?: boolean;
}

export const pass = (detail: string): Verdict => ({ ok: true, detail });
export const fail = (detail: string, fix: string): Verdict => ({ ok: false, detail, fix });
export const warn = (detail: string, fix: string): Verdict => ({ ok: true, warn: true, detail, fix });

/**
 * The decisions of doctor's checks under project.engine: swarm, facts in, verdict out (swarmChecks.ts reads the
 * facts from the engine). One daemon per cluster, on a manager: only a manager lists services and tasks and
 * deploys a stack.
 */
export function managerVerdict(m: SwarmMembership): Verdict {
  if (m.state !== 'active')
    return fail(
      `this engine is not in an active swarm (Swarm.LocalNodeState: ${m.state})`,
      'run the daemon on a swarm manager (`docker swarm init` makes this engine one); one daemon per cluster',
    );
  if (!m.manager)
    return fail(
      `this engine (${m.hostname}) is a swarm worker, not a manager`,
      'run the daemon on a manager node (or `docker node promote` this one); one daemon per cluster',
    );
  return pass(`${m.hostname} is a swarm manager (node ${m.nodeId.slice(0, 12)})`);
}

/**
 * The stack exists and has every service of the compose files. `elsewhere`: the other stacks that run these
 * files (matchingStacks), named in the fix.
 */
export function stackVerdict(
  stack: string,
  wanted: readonly string[],
  present: readonly StackService[],
  elsewhere: readonly string[],
): Verdict {
  const names = new Set(present.map((s) => s.name));
  const hint =
    elsewhere.length === 1
      ? `these compose files run as stack "${elsewhere[0]}": set project.stack: ${elsewhere[0]} (or run \`switchyard init --force\`)`
      : 'deploy it (`switchyard deploy REF`), or set project.stack to the stack that runs these files';
  if (names.size === 0)
    return fail(
      `no service of stack "${stack}" on this swarm${elsewhere.length ? `; stacks running these files: ${elsewhere.join(', ')}` : ''}`,
      hint,
    );
  const missing = wanted.filter((service) => !names.has(swarmServiceName(stack, service)));
  return missing.length
    ? fail(`stack "${stack}" lacks service(s) ${missing.join(', ')} of the compose files`, hint)
    : pass(`stack "${stack}": ${wanted.length} service(s)`);
}

/** Where the database service's task runs, against this node (switchyard dumps and restores through its engine). */
export interface DbPlacement {
  service: string;
  thisNode: string;
  /** The nodes of its tasks that run now. */
  runningOn: string[];
  /** Its spec's placement constraints (none: Swarm may start it on any node). */
  constraints: string[];
  otherNodes: number;
}

export function dbPlacementVerdict(p: DbPlacement): Verdict {
  const pin = `pin it: \`docker node update --label-add switchyard.db=true ${p.thisNode}\` and in the db service \`deploy.placement.constraints: [node.labels.switchyard.db == true]\`, then redeploy`;
  if (p.runningOn.length === 0)
    return fail(
      `no running task of service ${p.service}`,
      `start the stack; the database task must run on ${p.thisNode}`,
    );
  const away = p.runningOn.filter((node) => node !== p.thisNode);
  if (away.length)
    return fail(
      `service ${p.service} runs on node ${away.join(', ')}, not on this node (${p.thisNode}): dumps and restores cannot reach it`,
      pin,
    );
  const here = `service ${p.service} runs on this node (${p.thisNode})`;
  if (p.otherNodes > 0 && p.constraints.length === 0)
    return warn(
      `${here}, but nothing pins it there: Swarm may restart it on one of ${p.otherNodes} other node(s)`,
      pin,
    );
  return pass(p.constraints.length ? `${here}, placed by ${p.constraints.join(', ')}` : here);
}

/** What a registry of the managed images needs for workers to pull with `--with-registry-auth`. */
export interface RegistryFacts {
  host: string;
  services: string[];
  /** 127.0.0.1, localhost, ::1: each node would pull from itself. */
  loopback: boolean;
  /** Where the credentials sent with the deploy come from, or null when there are none. */
  credentials: 'registries' | 'docker login' | null;
  /** Why the configured credentials cannot be read (registries.<host>.passwordEnv unset). */
  problem: string | null;
  /** The registry answered without credentials (null: not asked, or it did not answer). */
  anonymous: boolean | null;
}

/**
 * `docker stack deploy --with-registry-auth` sends this manager's credentials for each image along, so that every
 * node can pull it. On a single node this manager pulls itself (the image check covers it); with other nodes, a
 * registry that needs credentials nobody configured is a pull that fails on them: a warning, since a public
 * registry needs none.
 */
export function registryCredentialsVerdict(registries: readonly RegistryFacts[], otherNodes: number): Verdict {
  if (registries.length === 0) return pass('no managed services');
  const broken = registries.filter((r) => r.problem);
  if (broken.length)
    return fail(broken.map((r) => `${r.host}: ${r.problem}`).join('; '), 'set the variable in /etc/switchyard/env');
  const line = (r: RegistryFacts) =>
    `${r.host}: ${r.loopback ? 'loopback, none needed' : r.credentials ? (r.credentials === 'registries' ? `registries.${r.host}` : 'docker login on this manager') : r.anonymous ? 'answers without credentials' : 'no credentials'}`;
  const detail = `${registries.map(line).join('; ')}; ${otherNodes} other node(s)`;
  if (otherNodes === 0) return pass(detail);
  const loopback = registries.filter((r) => r.loopback);
  const missing = registries.filter((r) => !r.loopback && !r.credentials && r.anonymous !== true);
  if (missing.length)
    return warn(
      `${detail}: the other nodes cannot pull from ${missing.map((r) => r.host).join(', ')} if it needs credentials`,
      `set registries.<host> in the config (or \`docker login\` on this manager) for ${missing.map((r) => r.host).join(', ')}`,
    );
  if (loopback.length)
    return warn(
      `${detail}: on the other nodes ${loopback.map((r) => r.host).join(', ')} is their own loopback, not this registry`,
      'serve the images from a registry every node reaches by the same name',
    );
  return pass(detail);
}

/** A registry that each node reaches on its own loopback address. */
export function isLoopbackRegistry(host: string): boolean {
  return /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(host);
}

/**
 * Under swarm the backups are on one manager's disk while the app spans the cluster: without `offsite` losing
 * that node loses every backup. A failure, not a warning: README "Outgrowing one host" makes it part of the setup.
 */
export function noOffsiteVerdict(engine: 'compose' | 'swarm'): Verdict {
  return engine === 'swarm'
    ? fail(
        'not configured under project.engine: swarm: every backup is on this one manager’s disk',
        'configure offsite (README "Config reference", "Disaster recovery"), so that losing this node loses no backup',
      )
    : pass('not configured (backups stay on this host only)');
}
