import type Docker from 'dockerode';
import { failed } from '../errors.js';
import { maskUrlSecrets } from '../util/redact.js';
import type { DockerClient } from './client.js';
import { serviceLabelFilters } from './labels.js';

export interface RegistryAuth {
  username: string;
  password: string;
  serveraddress: string;
}

export interface PullProgress {
  image: string;
  status: string;
  current?: number;
  total?: number;
}

/** The registry host of an image reference, as docker reads it (docker.io when the first part is not a host). */
export function registryHost(reference: string): string {
  const first = reference.split('/')[0]!;
  return reference.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
    ? first
    : 'docker.io';
}

/** The repository part of a reference: without tag or digest. */
export function repositoryOf(reference: string): string {
  const noDigest = reference.split('@')[0]!;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
}

/** Pulls an image, reporting progress, and resolves with the engine's error text on failure. */
export async function pullImage(
  docker: DockerClient,
  reference: string,
  auth: RegistryAuth | undefined,
  onProgress: (p: PullProgress) => void,
): Promise<void> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await docker.pull(reference, auth ? { authconfig: auth } : {})) as NodeJS.ReadableStream;
  } catch (e) {
    throw failed(`pull of ${reference} failed: ${maskUrlSecrets(engineMessage(e))}`, e);
  }
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, output: Array<{ error?: string }>) => {
        const streamError = error?.message ?? output.find((o) => o.error)?.error;
        if (streamError) reject(failed(`pull of ${reference} failed: ${maskUrlSecrets(streamError)}`));
        else resolve();
      },
      (event: { status?: string; progressDetail?: { current?: number; total?: number } }) => {
        if (event.status)
          onProgress({
            image: reference,
            status: event.status,
            current: event.progressDetail?.current,
            total: event.progressDetail?.total,
          });
      },
    );
  });
}

export interface LocalImage {
  id: string;
  /** repo@sha256:… for `repository`, when the image came from a registry. */
  digestRef: string | null;
  os: string;
  architecture: string;
}

export async function inspectImage(
  docker: DockerClient,
  reference: string,
  repository = repositoryOf(reference),
): Promise<LocalImage | undefined> {
  let info: Docker.ImageInspectInfo;
  try {
    info = await docker.getImage(reference).inspect();
  } catch {
    return undefined;
  }
  const digestRef = (info.RepoDigests ?? []).find((d) => d.startsWith(`${repository}@`)) ?? null;
  return { id: info.Id, digestRef, os: info.Os, architecture: info.Architecture };
}

/** The platform this engine runs images for, in the registry's words (linux/amd64). */
export async function enginePlatform(docker: DockerClient): Promise<{ os: string; architecture: string }> {
  const info = (await docker.version()) as { Os: string; Arch: string };
  return { os: info.Os, architecture: info.Arch };
}

export interface ServiceContainer {
  id: string;
  name: string;
  running: boolean;
  /** healthy | unhealthy | starting | none (no healthcheck) */
  health: string;
  imageId: string;
}

/** Every container (any state) of a compose service, or the running ones of a stack's service (labels.ts). */
export async function serviceContainers(
  docker: DockerClient,
  project: string,
  service: string,
): Promise<ServiceContainer[]> {
  // A stack's exited containers are Swarm's task history, not the service: only its running ones count.
  const [composed, stacked] = serviceLabelFilters(project, service);
  const list = [
    ...(await listLabelled(docker, [composed!], { all: true })),
    ...(await listLabelled(docker, [stacked!], { status: ['running'] })),
  ];
  return Promise.all(
    list.map(async (c) => {
      const info = await docker.getContainer(c.Id).inspect();
      return {
        id: c.Id,
        name: info.Name.replace(/^\//, ''),
        running: info.State.Running,
        health: info.State.Health?.Status ?? 'none',
        imageId: info.Image,
      };
    }),
  );
}

/** Removes an image by id unless something uses it; quietly does nothing when it is in use. */
export async function removeImageIfUnused(docker: DockerClient, id: string): Promise<boolean> {
  try {
    await docker.getImage(id).remove({ force: false, noprune: false });
    return true;
  } catch {
    return false;
  }
}

function engineMessage(e: unknown): string {
  const json = (e as { json?: { message?: string } }).json;
  return json?.message ?? (e as Error).message ?? String(e);
}

/** The containers matching any of the label filters (each filter's labels ANDed), each once. */
export async function listLabelled(
  docker: DockerClient,
  filters: string[][],
  options: { all?: boolean; status?: string[] } = {},
): Promise<Docker.ContainerInfo[]> {
  const lists = await Promise.all(
    filters.map((label) =>
      docker.listContainers({
        all: options.all,
        filters: options.status ? { label, status: options.status } : { label },
      }),
    ),
  );
  const seen = new Set<string>();
  return lists.flat().filter((c) => !seen.has(c.Id) && seen.add(c.Id));
}
