import { initHost, type InitReport } from '../../app/index.js';
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
      stack: { type: 'string' },
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
  const flag = (name: string) => values[name] as string | undefined;
  const r = await initHost({
    config: common.config,
    env: io.env,
    projectDir: flag('project-dir'),
    composeFiles: flag('compose-files'),
    databaseService: flag('database-service'),
    databaseUrl: flag('database-url'),
    stack: flag('stack'),
    github: flag('github'),
    stateDir: flag('state-dir'),
    backupsDir: flag('backups-dir'),
    listen: flag('listen'),
    installUnit: values['install-unit'] as boolean | undefined,
    unitDir: flag('unit-dir'),
    force: values.force as boolean | undefined,
  });
  io.out(
    common.json
      ? JSON.stringify({
          configFile: r.configFile,
          projectName: r.projectName,
          engine: r.stack ? 'swarm' : 'compose',
          stack: r.stack,
          services: r.services,
          database: r.database,
          stateDir: r.stateDir,
          backupsDir: r.backupsDir,
          unit: r.unit,
        })
      : describeInit(r).join('\n'),
  );
}

function describeInit(r: InitReport): string[] {
  const lines = [
    `wrote ${r.configFile}${r.configModeWas ? ` (mode ${r.configModeWas} tightened to 0600)` : ''}`,
    `managed services: ${Object.keys(r.services).join(', ') || 'none found'}`,
    r.stack
      ? `swarm stack: ${r.stack} (project.engine: swarm${r.stacks.includes(r.stack) ? ', it runs these compose files' : ', as given'})`
      : r.projectName
        ? `compose project: ${r.projectName} (running from ${r.projectDir})`
        : r.running.length > 1
          ? `compose project: several run from ${r.projectDir} (${r.running.join(', ')}); set project.name to the one to manage`
          : `compose project: none runs from ${r.projectDir} yet; compose's default name applies`,
    `state ${r.stateDir}, backups ${r.backupsDir} (mode 0700)`,
  ];
  if (r.unit) {
    const env = r.unit.tokenCreated
      ? ' (new admin token)'
      : r.unit.envModeWas
        ? ` (kept; mode ${r.unit.envModeWas} tightened to 0600)`
        : ' (kept)';
    lines.push(`installed ${r.unit.unit}; secrets in ${r.unit.envFile}${env}`);
    lines.push(
      r.systemdReloaded
        ? 'next: systemctl enable --now switchyard'
        : 'systemd is not running here: start the unit on the real host',
    );
  }
  return lines;
}
