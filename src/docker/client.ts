import { createRequire } from 'node:module';
import { PassThrough, type Readable } from 'node:stream';
import type Docker from 'dockerode';
import { failed } from '../errors.js';
import type { ToolProcess } from '../util/process.js';
import { demultiplex } from './demux.js';
import { listLabelled } from './images.js';
import { serviceLabelFilters } from './labels.js';

export type DockerClient = Docker;

/**
 * Talks to the engine on DOCKER_HOST or the default socket. dockerode (with ssh2, gRPC and protobuf: ~250 ms and
 * ~25 MB) is loaded here, at the first client a process makes, not when this module is imported: a URL-mode backup
 * or `config` never reaches Docker. It is CommonJS, so `require` loads it synchronously and callers stay sync.
 */
export function createDocker(): DockerClient {
  const Dockerode = createRequire(import.meta.url)('dockerode') as typeof Docker;
  return new Dockerode();
}

/** The running container of a compose service, or of a stack's service on this node, found by their labels. */
export async function findServiceContainer(docker: DockerClient, project: string, service: string): Promise<string> {
  let containers: Docker.ContainerInfo[];
  try {
    containers = await listLabelled(docker, serviceLabelFilters(project, service), { status: ['running'] });
  } catch (e) {
    throw failed(`docker engine not reachable: ${(e as Error).message}`, e);
  }
  const first = containers[0];
  if (!first) {
    const seen = (await runningComposeProjects(docker).catch(() => [])).map((p) => p.name);
    throw failed(
      `no running container for compose service "${service}" in compose project "${project}"; running compose projects: ${seen.join(', ') || 'none'}`,
    );
  }
  return first.Id;
}

/** A compose project with running containers, and the directory compose ran it from (its working_dir label). */
export interface RunningProject {
  name: string;
  workingDir: string | null;
}

/** Every compose project with a running container, by name, as compose's labels tell. */
export async function runningComposeProjects(docker: DockerClient): Promise<RunningProject[]> {
  const containers = await docker.listContainers({ filters: { label: ['com.docker.compose.project'] } });
  const byName = new Map<string, string | null>();
  for (const c of containers) {
    const name = c.Labels['com.docker.compose.project']!;
    if (!byName.has(name) || byName.get(name) === null)
      byName.set(name, c.Labels['com.docker.compose.project.working_dir'] ?? null);
  }
  return [...byName].map(([name, workingDir]) => ({ name, workingDir })).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * `docker exec` semantics without a TTY: stdout and stderr arrive separately
 * (demultiplexed), stdin is attached only when asked for, and the exit code
 * comes from the exec's inspect once its output has ended.
 */
export async function execInContainer(
  docker: DockerClient,
  containerId: string,
  cmd: readonly string[],
  options: { env?: string[]; stdin?: boolean; user?: string } = {},
): Promise<ToolProcess> {
  const container = docker.getContainer(containerId);
  const exec = await container.exec({
    Cmd: [...cmd],
    Env: options.env,
    User: options.user,
    AttachStdin: Boolean(options.stdin),
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
  });
  const socket = (await exec.start({ hijack: true, stdin: Boolean(options.stdin) })) as NodeJS.ReadWriteStream & {
    destroy(): void;
  };
  // A dump streams through here: a few MiB of buffer, then backpressure pauses the socket.
  const stdout = new PassThrough({ highWaterMark: 4 << 20 });
  const stderr = new PassThrough();
  demultiplex(socket as unknown as Readable, stdout, stderr);

  const exited = new Promise<number>((resolve) => {
    let done = false;
    const finish = async () => {
      if (done) return;
      done = true;
      stdout.end();
      stderr.end();
      // The stream can end a moment before the engine records the exit code.
      for (let i = 0; i < 50; i++) {
        const info = await exec.inspect().catch(() => undefined);
        if (!info) return resolve(125);
        if (!info.Running) return resolve(info.ExitCode ?? 125);
        await new Promise((r) => setTimeout(r, 20));
      }
      resolve(125);
    };
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', finish);
  });

  return {
    stdout,
    stderr,
    stdin: options.stdin ? (socket as unknown as NodeJS.WritableStream & import('node:stream').Writable) : null,
    exited,
    kill: () => {
      // The engine has no "kill exec" call; the exec's process is visible from the host by its pid.
      void exec.inspect().then(
        (info) => {
          if (info.Running && info.Pid) {
            try {
              process.kill(info.Pid, 'SIGTERM');
            } catch {
              /* already gone */
            }
          }
          socket.destroy();
        },
        () => socket.destroy(),
      );
    },
  };
}
