import fs from 'node:fs/promises';
import path from 'node:path';
import { configPath, parseConfig } from '../config/index.js';
import { createDocker } from '../docker/client.js';
import { inputError } from '../errors.js';
import { chooseProject, detectProject, runningProjectsIn, runningStacksOf, type StackSource } from '../init/detect.js';
import { makeDirs, setMode } from '../init/fileModes.js';
import { installUnit } from '../init/install.js';
import { type InitAnswers, renderConfig } from '../init/render.js';
import { readMembership, readStackServiceList } from '../swarm/cluster.js';
import { collect, spawnHost } from '../util/process.js';

/** `switchyard init`'s flags as given (absent: the default). */
export interface InitInput {
  /** `--config`, else $SWITCHYARD_CONFIG (from `env`), else the default path. */
  config?: string;
  env: NodeJS.ProcessEnv;
  projectDir?: string;
  /** Comma-separated, relative to the project dir. */
  composeFiles?: string;
  databaseService?: string;
  databaseUrl?: string;
  /** `--stack NAME`: project.engine swarm with this stack, whatever runs. */
  stack?: string;
  github?: string;
  stateDir?: string;
  backupsDir?: string;
  listen?: string;
  installUnit?: boolean;
  unitDir?: string;
  force?: boolean;
}

/** What init wrote and found. */
export interface InitReport {
  configFile: string;
  projectDir: string;
  /** The config file's mode before init tightened it to 0600 (a --force over a readable file); null if it was fine. */
  configModeWas: string | null;
  /** The compose project running from the project dir, when exactly one does. */
  projectName: string | null;
  /** Every compose project running from the project dir. */
  running: string[];
  /** The swarm stack written as project.stack (engine swarm), from --stack or the one stack running the files. */
  stack: string | null;
  /** Every stack found running the compose files (see matchingStacks). */
  stacks: string[];
  services: InitAnswers['services'];
  database: InitAnswers['database'];
  stateDir: string;
  backupsDir: string;
  unit: Awaited<ReturnType<typeof installUnit>> | null;
  /** Whether systemd took the new unit (false where systemd does not run); null without --install-unit. */
  systemdReloaded: boolean | null;
}

/**
 * Proposes a config from the compose files, validates it with the schema the daemon uses, writes it, creates the
 * state and backups dirs (0700), and with installUnit the systemd unit. No runtime: it writes the config one needs,
 * so it asks Docker (which projects run) through a client of its own.
 */
export async function initHost(input: InitInput): Promise<InitReport> {
  const { projectDir } = input;
  if (!projectDir || !path.isAbsolute(projectDir))
    throw inputError('--project-dir must be an absolute path to the compose project');
  const configFile = configPath(input.config, input.env);
  if (!input.force && (await exists(configFile)))
    throw inputError(`${configFile} exists; pass --force to overwrite it`);
  const composeFiles = (input.composeFiles ?? (await defaultComposeFiles(projectDir)).join(','))
    .split(',')
    .filter(Boolean);
  const detected = await detectProject(projectDir, composeFiles);
  const docker = createDocker();
  const running = await runningProjectsIn(docker, projectDir).catch(() => [] as string[]);
  const swarm: StackSource = {
    stackServices: async () => ((await readMembership(docker)).manager ? readStackServiceList(docker) : []),
  };
  const stacks =
    input.stack || running.length > 0 ? [] : await runningStacksOf(detected.images, swarm).catch(() => [] as string[]);
  const { projectName, stack } = chooseProject({ explicitStack: input.stack, running, stacks });
  const database = input.databaseUrl
    ? { url: input.databaseUrl }
    : input.databaseService
      ? {
          service: input.databaseService,
          user: detected.database?.user ?? 'postgres',
          name: detected.database?.name ?? 'postgres',
        }
      : detected.database;
  if (!database)
    throw inputError(
      'no PostgreSQL service found in the compose files; pass --database-service NAME or --database-url URL',
    );

  const stateDir = input.stateDir ?? '/var/lib/switchyard';
  const backupsDir = input.backupsDir ?? path.join(projectDir, 'backups');
  const text = renderConfig({
    projectDir,
    composeFiles,
    projectName,
    stack,
    services: detected.services,
    database,
    githubRepo: input.github ?? null,
    stateDir,
    backupsDir,
    listen: input.listen ?? '127.0.0.1:8090',
  });
  parseConfig(text, 'generated config'); // never write a config the daemon would refuse

  await makeDirs(path.dirname(configFile), 0o700);
  await fs.writeFile(configFile, text, { mode: 0o600 });
  const configModeWas = await setMode(configFile, 0o600); // --force over a file someone left readable
  // Only the daemon's user may read the dumps or put anything where it reads them: 0700 even if they existed.
  for (const dir of [stateDir, backupsDir]) {
    await makeDirs(dir, 0o700);
    await setMode(dir, 0o700);
  }
  let unit: InitReport['unit'] = null;
  let systemdReloaded: boolean | null = null;
  if (input.installUnit) {
    unit = await installUnit({ configFile, unitDir: input.unitDir });
    systemdReloaded = (await collect(spawnHost('systemctl', ['daemon-reload']))).code === 0;
  }
  const services = detected.services;
  return {
    configFile,
    projectDir,
    configModeWas,
    projectName,
    running,
    stack,
    stacks,
    services,
    database,
    stateDir,
    backupsDir,
    unit,
    systemdReloaded,
  };
}

const exists = (file: string) =>
  fs.access(file).then(
    () => true,
    () => false,
  );

/** The seed layout (docker-compose.yml plus an optional .prod.yml override), else compose.yaml. */
async function defaultComposeFiles(dir: string): Promise<string[]> {
  const has = (f: string) => exists(path.join(dir, f));
  if (await has('docker-compose.yml'))
    return (await has('docker-compose.prod.yml'))
      ? ['docker-compose.yml', 'docker-compose.prod.yml']
      : ['docker-compose.yml'];
  return (await has('compose.yaml')) ? ['compose.yaml'] : ['docker-compose.yml'];
}
