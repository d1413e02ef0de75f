import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/index.js';
import { failed } from '../errors.js';
import { collect, spawnHost, tailOf } from '../util/process.js';
import { pinFilePath } from '../config/stateFiles.js';
import type { ComposeServiceShape } from './strategy.js';

export type ComposeConfig = Pick<Config, 'project' | 'stateDir'>;

/**
 * `docker compose` arguments selecting this project's files in the configured
 * order, then switchyard's pin file when there is one, so that an operator's
 * command through `switchyard compose` never silently reverts the pins.
 */
export function composeBaseArgs(config: ComposeConfig, options: { withPins?: boolean } = {}): string[] {
  const { project } = config;
  const args = ['compose', '--project-directory', project.dir];
  for (const file of project.composeFiles) args.push('--file', path.join(project.dir, file));
  const pins = pinFilePath(config.stateDir);
  if (options.withPins !== false && fs.existsSync(pins)) args.push('--file', pins);
  if (project.name) args.push('--project-name', project.name);
  return args;
}

/** Runs `docker compose` with the project's files and collects its output; never through a shell. */
export async function runCompose(config: ComposeConfig, args: readonly string[]) {
  return collect(spawnHost('docker', [...composeBaseArgs(config), ...args], { cwd: config.project.dir }));
}

/** Runs `docker compose`, handing every output line to `onLine`; throws with the last lines on failure. */
export async function streamCompose(
  config: ComposeConfig,
  args: readonly string[],
  onLine: (line: string) => void,
): Promise<void> {
  const what = `docker compose ${args[0]}`;
  return streamDocker([...composeBaseArgs(config), ...args], { cwd: config.project.dir, what }, onLine);
}

/** Runs `docker ARGS…` (compose, stack, service), handing every output line to `onLine`; throws with the last lines. */
export async function streamDocker(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; what: string },
  onLine: (line: string) => void,
): Promise<void> {
  const proc = spawnHost('docker', args, { cwd: options.cwd, env: options.env });
  const tail = tailOf(proc.stderr, 2000);
  for (const stream of [proc.stdout, proc.stderr]) {
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onLine(line.trimEnd());
    });
  }
  const code = await proc.exited;
  if (code !== 0) throw failed(`${options.what} failed (exit ${code}): ${lastLines(tail(), 3)}`);
}

/**
 * The compose project name as compose itself computes it (config, .env,
 * COMPOSE_PROJECT_NAME, top-level `name:` or the directory), so that
 * containers are found by the same labels compose gave them. Asks compose every time:
 * `projectNameMemo` is the cached way.
 */
export async function readComposeProjectName(config: ComposeConfig): Promise<string> {
  if (config.project.name) return config.project.name;
  const result = await collect(
    spawnHost('docker', [...composeBaseArgs(config, { withPins: false }), 'config', '--format', 'json'], {
      cwd: config.project.dir,
    }),
  );
  if (result.code !== 0) {
    throw failed(`docker compose cannot read the project in ${config.project.dir}: ${lastLines(result.stderr, 1)}`);
  }
  const name = (JSON.parse(result.stdout) as { name?: string }).name;
  if (!name) throw failed(`docker compose reported no project name for ${config.project.dir}; set project.name`);
  return name;
}

/** The project's services as compose reads its files (`config --services`), managed by switchyard or not. */
export async function readComposeServices(config: ComposeConfig): Promise<string[]> {
  const result = await collect(
    spawnHost('docker', [...composeBaseArgs(config, { withPins: false }), 'config', '--services'], {
      cwd: config.project.dir,
    }),
  );
  if (result.code !== 0) {
    throw failed(`docker compose cannot read the project in ${config.project.dir}: ${lastLines(result.stderr, 1)}`);
  }
  return result.stdout
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)
    .sort();
}

/** The project as the next `up` runs it (the pin file included): each service's config, and compose's config hash. */
export interface ComposeModel {
  services: Record<string, ComposeServiceShape>;
  /**
   * Per managed service, the `com.docker.compose.config-hash` label a container created now by `up --no-deps` would
   * carry; a running one with another is recreated.
   */
  hashes: Record<string, string>;
}

/**
 * Reads the project, and the config hashes of `managed` as `up --no-deps` computes them: compose drops the selected
 * services' `depends_on` before it hashes them, so `config --hash` (which keeps it) names a config no container
 * switchyard made has. Compose hashes that same model, read from stdin.
 */
export async function readComposeModel(config: ComposeConfig, managed: readonly string[]): Promise<ComposeModel> {
  const json = await runCompose(config, ['config', '--format', 'json']);
  if (json.code !== 0)
    throw failed(`docker compose cannot read the project in ${config.project.dir}: ${lastLines(json.stderr, 1)}`);
  const model = JSON.parse(json.stdout) as {
    services?: Record<string, ComposeServiceShape & { depends_on?: unknown }>;
  };
  const services = model.services ?? {};
  const selected = managed.filter((s) => Object.hasOwn(services, s));
  for (const name of selected) delete services[name]!.depends_on;
  if (selected.length === 0) return { services, hashes: {} };
  const args = [
    'compose',
    '--project-directory',
    config.project.dir,
    '--file',
    '-',
    'config',
    '--hash',
    selected.join(','),
  ];
  const hash = await collect(
    spawnHost('docker', args, { cwd: config.project.dir, stdin: true }),
    JSON.stringify(model),
  );
  if (hash.code !== 0)
    throw failed(`docker compose cannot hash the services of ${config.project.dir}: ${lastLines(hash.stderr, 1)}`);
  const hashes = Object.fromEntries(
    hash.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((parts): parts is [string, string] => parts.length === 2),
  );
  return { services, hashes };
}

/**
 * A cache of project names owned by whoever makes it (one per Context), so two configs in one
 * process never see each other's names. Keyed by the directory and files, so a reloaded config
 * that moves the project asks again; a failure is not remembered.
 */
export function projectNameMemo(
  read: (config: ComposeConfig) => Promise<string> = readComposeProjectName,
): (config: ComposeConfig) => Promise<string> {
  const resolved = new Map<string, string>();
  return async (config) => {
    // Under Swarm the stack is the project: its tasks' containers carry its name (src/docker/labels.ts).
    if (config.project.engine === 'swarm' && config.project.stack) return config.project.stack;
    if (config.project.name) return config.project.name;
    const key = [config.project.dir, ...config.project.composeFiles].join('\0');
    const cached = resolved.get(key);
    if (cached) return cached;
    const name = await read(config);
    resolved.set(key, name);
    return name;
  };
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}
