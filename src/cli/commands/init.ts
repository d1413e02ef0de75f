import fs from 'node:fs/promises';
import path from 'node:path';
import { parseConfig, DEFAULT_CONFIG_PATH } from '../../config/index.js';
import { inputError } from '../../errors.js';
import { createDocker } from '../../docker/client.js';
import { detectProject, runningProjectsIn } from '../../init/detect.js';
import { makeDirs, setMode } from '../../init/fileModes.js';
import { installUnit } from '../../init/install.js';
import { renderConfig } from '../../init/render.js';
import { collect, spawnHost } from '../../util/process.js';
import { parseCommand } from '../args.js';
import type { Io } from '../io.js';

/**
 * `switchyard init --project-dir DIR [...]`: proposes a config from the compose
 * files, validates it with the same schema the daemon uses, writes it, creates
 * the state and backups dirs (0700), and with --install-unit the systemd unit.
 */
export async function initCommand(argv: string[], io: Io): Promise<void> {
  const { common, values } = parseCommand(
    argv,
    {
      'project-dir': { type: 'string' },
      'compose-files': { type: 'string' },
      'database-service': { type: 'string' },
      'database-url': { type: 'string' },
      github: { type: 'string' },
      'state-dir': { type: 'string' },
      'backups-dir': { type: 'string' },
      listen: { type: 'string' },
      'install-unit': { type: 'boolean' },
      'unit-dir': { type: 'string' },
      force: { type: 'boolean' },
    },
    0,
  );
  const projectDir = values['project-dir'] as string | undefined;
  if (!projectDir || !path.isAbsolute(projectDir))
    throw inputError('--project-dir must be an absolute path to the compose project');
  const configFile = common.config ?? io.env.SWITCHYARD_CONFIG ?? DEFAULT_CONFIG_PATH;
  if (
    !values.force &&
    (await fs.access(configFile).then(
      () => true,
      () => false,
    ))
  ) {
    throw inputError(`${configFile} exists; pass --force to overwrite it`);
  }
  const composeFiles = (
    (values['compose-files'] as string | undefined) ?? (await defaultComposeFiles(projectDir)).join(',')
  )
    .split(',')
    .filter(Boolean);
  const detected = await detectProject(projectDir, composeFiles);
  const running = await runningProjectsIn(createDocker(), projectDir).catch(() => [] as string[]);
  const projectName = running.length === 1 ? running[0]! : null;
  const url = values['database-url'] as string | undefined;
  const serviceName = values['database-service'] as string | undefined;
  const database = url
    ? { url }
    : serviceName
      ? {
          service: serviceName,
          user: detected.database?.user ?? 'postgres',
          name: detected.database?.name ?? 'postgres',
        }
      : detected.database;
  if (!database)
    throw inputError(
      'no PostgreSQL service found in the compose files; pass --database-service NAME or --database-url URL',
    );

  const stateDir = (values['state-dir'] as string | undefined) ?? '/var/lib/switchyard';
  const backupsDir = (values['backups-dir'] as string | undefined) ?? path.join(projectDir, 'backups');
  const text = renderConfig({
    projectDir,
    composeFiles,
    projectName,
    services: detected.services,
    database,
    githubRepo: (values.github as string | undefined) ?? null,
    stateDir,
    backupsDir,
    listen: (values.listen as string | undefined) ?? '127.0.0.1:8090',
  });
  parseConfig(text, 'generated config'); // never write a config the daemon would refuse

  await makeDirs(path.dirname(configFile), 0o700);
  await fs.writeFile(configFile, text, { mode: 0o600 });
  const configWas = await setMode(configFile, 0o600); // --force over a file someone left readable
  // Only the daemon's user may read the dumps or put anything where it reads them: 0700 even if they existed.
  for (const dir of [stateDir, backupsDir]) {
    await makeDirs(dir, 0o700);
    await setMode(dir, 0o700);
  }
  const lines = [
    `wrote ${configFile}${configWas ? ` (mode ${configWas} tightened to 0600)` : ''}`,
    `managed services: ${Object.keys(detected.services).join(', ') || 'none found'}`,
    projectName
      ? `compose project: ${projectName} (running from ${projectDir})`
      : running.length > 1
        ? `compose project: several run from ${projectDir} (${running.join(', ')}); set project.name to the one to manage`
        : `compose project: none runs from ${projectDir} yet; compose's default name applies`,
    `state ${stateDir}, backups ${backupsDir} (mode 0700)`,
  ];
  let unit: Awaited<ReturnType<typeof installUnit>> | undefined;
  if (values['install-unit']) {
    unit = await installUnit({ configFile, unitDir: values['unit-dir'] as string | undefined });
    const env = unit.tokenCreated
      ? ' (new admin token)'
      : unit.envModeWas
        ? ` (kept; mode ${unit.envModeWas} tightened to 0600)`
        : ' (kept)';
    lines.push(`installed ${unit.unit}; secrets in ${unit.envFile}${env}`);
    const reload = await collect(spawnHost('systemctl', ['daemon-reload']));
    lines.push(
      reload.code === 0
        ? 'next: systemctl enable --now switchyard'
        : 'systemd is not running here: start the unit on the real host',
    );
  }
  io.out(
    common.json
      ? JSON.stringify({
          configFile,
          projectName,
          services: detected.services,
          database,
          stateDir,
          backupsDir,
          unit: unit ?? null,
        })
      : lines.join('\n'),
  );
}

/** The seed layout (docker-compose.yml plus an optional .prod.yml override), else compose.yaml. */
async function defaultComposeFiles(dir: string): Promise<string[]> {
  const exists = (f: string) =>
    fs.access(path.join(dir, f)).then(
      () => true,
      () => false,
    );
  if (await exists('docker-compose.yml'))
    return (await exists('docker-compose.prod.yml'))
      ? ['docker-compose.yml', 'docker-compose.prod.yml']
      : ['docker-compose.yml'];
  return (await exists('compose.yaml')) ? ['compose.yaml'] : ['docker-compose.yml'];
}
