import path from 'node:path';
import { collect, spawnHost } from '../util/process.js';
import { failed, inputError } from '../errors.js';
import { runningComposeProjects, type DockerClient } from '../docker/client.js';
import { matchingStacks, type StackService } from '../swarm/cluster.js';

export interface Detected {
  /** Services whose image is in a registry (host/path), proposed as managed, with the repository without tag. */
  services: Record<string, string>;
  /** The PostgreSQL service, its user and database name, when one is found. */
  database: { service: string; user: string; name: string } | null;
  /** Every service of the files and its image as written (empty when it has none), to recognise a running stack. */
  images: Record<string, string>;
}

interface ComposeService {
  image?: string;
  environment?: Record<string, string | null>;
}

/**
 * Reads the compose files as compose resolves them and proposes what to pin:
 * services whose image lives in a registry (ghcr.io/…, 127.0.0.1:5000/…), and
 * the service that runs PostgreSQL (by image name or POSTGRES_* variables).
 */
export async function detectProject(dir: string, composeFiles: readonly string[]): Promise<Detected> {
  const args = [
    'compose',
    '--project-directory',
    dir,
    ...composeFiles.flatMap((f) => ['--file', path.join(dir, f)]),
    'config',
    '--format',
    'json',
  ];
  const r = await collect(spawnHost('docker', args, { cwd: dir }));
  if (r.code !== 0)
    throw failed(
      `docker compose cannot read ${composeFiles.join(', ')} in ${dir}: ${r.stderr.trim().split('\n').pop()}`,
    );
  const services = (JSON.parse(r.stdout) as { services?: Record<string, ComposeService> }).services ?? {};
  const detected: Detected = { services: {}, database: null, images: {} };
  for (const [name, s] of Object.entries(services)) {
    const image = s.image ?? '';
    detected.images[name] = image;
    const env = s.environment ?? {};
    if (/(^|\/)postgres(ql)?(:|@|$)/.test(image) || 'POSTGRES_DB' in env || 'POSTGRES_PASSWORD' in env) {
      detected.database ??= {
        service: name,
        user: env.POSTGRES_USER ?? 'postgres',
        name: env.POSTGRES_DB ?? env.POSTGRES_USER ?? 'postgres',
      };
      continue;
    }
    const repository = image.split('@')[0]!.replace(/:[^/:]+$/, '');
    const host = repository.split('/')[0]!;
    if (repository.includes('/') && (host.includes('.') || host.includes(':'))) detected.services[name] = repository;
  }
  return detected;
}

/**
 * The compose project already running from `dir` (compose's `working_dir` label), so that a stack started under
 * another project name is adopted rather than started twice. None or several: the caller says so.
 */
export async function runningProjectsIn(docker: DockerClient, dir: string): Promise<string[]> {
  const want = path.resolve(dir);
  return (await runningComposeProjects(docker))
    .filter((p) => p.workingDir !== null && path.resolve(p.workingDir) === want)
    .map((p) => p.name);
}

/** What init asks a swarm manager: the services of every stack (none when the engine is no manager). */
export interface StackSource {
  stackServices(): Promise<StackService[]>;
}

export async function runningStacksOf(images: Record<string, string>, source: StackSource): Promise<string[]> {
  return matchingStacks(images, await source.stackServices());
}

/** Under which engine and name init writes the project. */
export interface ProjectChoice {
  /** project.name: the one compose project running from the dir. */
  projectName: string | null;
  /** project.stack (with project.engine: swarm). */
  stack: string | null;
}

/**
 * `--stack NAME` is taken as given. Else a compose project running from the dir (its working_dir label, exact
 * evidence) keeps compose; else the one stack that runs the files makes it swarm; several stacks are a question
 * only the operator can answer; none: compose, under compose's default name.
 */
export function chooseProject(found: { explicitStack?: string; running: string[]; stacks: string[] }): ProjectChoice {
  if (found.explicitStack) return { projectName: null, stack: found.explicitStack };
  if (found.running.length > 0)
    return { projectName: found.running.length === 1 ? found.running[0]! : null, stack: null };
  if (found.stacks.length > 1)
    throw inputError(`several swarm stacks run these compose files (${found.stacks.join(', ')}); pass --stack NAME`);
  return { projectName: null, stack: found.stacks[0] ?? null };
}
