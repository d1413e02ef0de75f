import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCompose, streamDocker, type ComposeConfig } from '../compose/project.js';
import type { Config } from '../config/index.js';
import { registryAuth } from '../docker/auth.js';
import { registryHost } from '../docker/images.js';
import { swarmServiceName } from '../docker/labels.js';
import { failed, oneLine } from '../errors.js';
import { readPins } from '../compose/pins.js';
import type { ImagePins } from '../domain/images.js';
import type { SecretSink } from '../util/redact.js';
import { type ComposedProject, renderStackFile, type StackFile } from './stackFile.js';

export type StackConfig = ComposeConfig & Pick<Config, 'registries'>;

/** Where the last rendered stack file is kept (it holds the interpolated environment: the state dir, 0600). */
export function stackFilePath(stateDir: string): string {
  return path.join(stateDir, 'stack.json');
}

/** The project's files with the pin file, merged and interpolated by compose, made a stack file (stackFile.ts). */
export async function renderProjectStack(config: ComposeConfig, pins: ImagePins): Promise<StackFile> {
  const result = await runCompose(config, ['config', '--format', 'json']);
  if (result.code !== 0)
    throw failed(`docker compose cannot render the project for the stack: ${result.stderr.split('\n')[0]}`);
  return renderStackFile(JSON.parse(result.stdout) as ComposedProject, pins);
}

/**
 * `docker stack deploy --with-registry-auth --prune` of the rendered file: every node pulls the pinned digests
 * with the credentials sent along. Credentials of `registries.*` reach the docker CLI through a config.json of
 * their own in a private temp dir (removed after), never through argv or the environment.
 */
export async function deployStack(
  config: StackConfig & { project: { stack?: string } },
  stack: StackFile,
  pins: ImagePins,
  secrets: SecretSink,
  onLine: (line: string) => void,
): Promise<void> {
  const name = config.project.stack;
  if (!name) throw failed('project.stack is not set');
  const file = stackFilePath(config.stateDir);
  const temp = `${file}.tmp-${process.pid}`;
  await fs.writeFile(temp, JSON.stringify(stack.document, null, 2), { mode: 0o600 });
  await fs.rename(temp, file);
  const dockerConfig = await registryConfigDir(config, pins, secrets);
  try {
    const args = ['stack', 'deploy', '--with-registry-auth', '--prune', '--detach=true', '-c', file, name];
    await streamDocker(
      args,
      {
        cwd: config.project.dir,
        env: dockerConfig ? { DOCKER_CONFIG: dockerConfig } : {},
        what: 'docker stack deploy',
      },
      onLine,
    );
  } finally {
    if (dockerConfig) await fs.rm(dockerConfig, { recursive: true, force: true });
  }
}

/** A DOCKER_CONFIG with the configured credentials of the pinned images' registries, or null when none apply. */
async function registryConfigDir(config: StackConfig, pins: ImagePins, secrets: SecretSink): Promise<string | null> {
  const auths: Record<string, { auth: string }> = {};
  for (const reference of Object.values(pins)) {
    const host = registryHost(reference);
    if (!config.registries[host] || auths[host]) continue;
    const auth = registryAuth(config, reference, secrets)!;
    auths[host] = { auth: Buffer.from(`${auth.username}:${auth.password}`).toString('base64') };
  }
  if (Object.keys(auths).length === 0) return null;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-auth-'));
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ auths }), { mode: 0o600 });
  return dir;
}

/** Scales services of the stack to zero (the database writers while it is restored); `up` scales them back. */
export async function scaleToZero(stack: string, services: string[], onLine: (line: string) => void): Promise<void> {
  if (services.length === 0) return;
  const args = ['service', 'scale', ...services.map((s) => `${swarmServiceName(stack, s)}=0`)];
  await streamDocker(args, { what: 'docker service scale' }, onLine);
}

/**
 * What the plan shows of the stack file under project.engine: swarm, rendered from the files as they are
 * checked out now with the current pins: each key dropped, and each managed service that updates stop-first.
 */
export async function stackFileNotes(
  config: ComposeConfig & Pick<Config, 'services'>,
): Promise<Array<{ code: string; reason: string }>> {
  try {
    // Every managed service counts as pinned (the image itself does not change a note).
    const managed = Object.fromEntries(Object.keys(config.services).map((s) => [s, 'planned']));
    const file = await renderProjectStack(config, { ...managed, ...((await readPins(config.stateDir)) ?? {}) });
    return [
      ...file.dropped.map((line) => ({ code: 'swarm-dropped', reason: `the stack file drops ${line}` })),
      ...file.stopFirst.map((service) => ({
        code: 'swarm-stop-first',
        reason: `${service} publishes a host-mode port: its tasks are replaced stop-first (a short outage)`,
      })),
    ];
  } catch (e) {
    return [{ code: 'swarm-render', reason: oneLine(e) }];
  }
}
