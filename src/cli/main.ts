#!/usr/bin/env node
import { SwitchyardError, oneLine, type ErrorKind } from '../errors.js';
import { redact } from '../util/redact.js';
import { VERSION } from '../server/app.js';
import { backupCommand, backupsCommand, drillCommand } from './commands/backup.js';
import { composeCommand } from './commands/compose.js';
import { configCommand } from './commands/config.js';
import { deployCommand, deploymentsCommand, rollbackCommand, statusCommand } from './commands/deploy.js';
import { doctorCommand } from './commands/doctor.js';
import { initCommand } from './commands/init.js';
import { offsiteCommand } from './commands/offsite.js';
import { recoverCommand } from './commands/recover.js';
import { restoreCommand } from './commands/restore.js';
import { versionsCommand } from './commands/versions.js';
import { serveCommand } from './commands/serve.js';
import type { Io } from './io.js';

type Command = { run: (argv: string[], io: Io) => Promise<void>; usage: string; summary: string };

const COMMANDS: Record<string, Command> = {
  serve: { run: serveCommand, usage: 'serve', summary: 'run the daemon: HTTP API and backup schedule' },
  backup: { run: backupCommand, usage: 'backup [--reason TEXT]', summary: 'take a verified backup now' },
  backups: { run: backupsCommand, usage: 'backups', summary: 'list backups, newest first' },
  drill: { run: drillCommand, usage: 'drill [BACKUP_ID] | --offsite [NAME] --identity FILE', summary: 'restore a backup (or its off-site copy) into a scratch database and verify it' },
  offsite: { run: offsiteCommand, usage: 'offsite push [BACKUP_ID] | list | verify NAME --identity FILE', summary: 'copy backups off-site now; list or verify the copies in the bucket' },
  versions: { run: versionsCommand, usage: 'versions', summary: 'list releases, tags and commits with CI status and image availability' },
  deploy: { run: deployCommand, usage: 'deploy REF [--detach]', summary: 'deploy a tag, branch or commit (backup first, rollback on failure)' },
  rollback: { run: rollbackCommand, usage: 'rollback ID [--images-only|--database-only]', summary: 'bring back the images, commit and data from before deployment ID' },
  restore: { run: restoreCommand, usage: 'restore --offsite latest|NAME --identity FILE [--with-images] [--force]', summary: 'emergency restore from the bucket: the database, and with --with-images the exact pair' },
  deployments: { run: deploymentsCommand, usage: 'deployments [ID]', summary: 'list deployments, or show one with its steps' },
  status: { run: statusCommand, usage: 'status', summary: 'what is deployed and running, health and drift' },
  compose: { run: composeCommand, usage: 'compose -- ARGS...', summary: 'docker compose with the project files and the pin file' },
  recover: { run: recoverCommand, usage: 'recover', summary: 'finish or undo an operation a crash left unfinished' },
  init: { run: initCommand, usage: 'init --project-dir DIR [--install-unit]', summary: 'write a commented config from the compose files' },
  doctor: { run: doctorCommand, usage: 'doctor', summary: 'check docker, compose, database, backups, registry, GitHub, unit' },
  config: { run: configCommand, usage: 'config', summary: 'validate the config and print it with defaults' },
};

// sysexits(3), so scripts can tell a bad config from a busy lock from a failed dump.
const EXIT: Record<ErrorKind, number> = { input: 64, 'not-found': 66, auth: 77, config: 78, conflict: 75, failed: 1 };

function help(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length));
  return [
    `switchyard ${VERSION}: deploy versions of a Docker Compose app, with a verified backup before every redeploy`,
    '',
    'Usage: switchyard COMMAND [--config FILE] [--json] [--verbose]',
    '',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '',
    'The config comes from --config, else $SWITCHYARD_CONFIG, else /etc/switchyard/config.yaml.',
  ].join('\n');
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(help());
    return name === undefined ? 64 : 0;
  }
  if (name === '--version') {
    io.out(VERSION);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`switchyard: unknown command "${name}" (see switchyard --help)\n`);
    return 64;
  }
  try {
    await command.run(rest, io);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    process.stderr.write(`switchyard ${name}: ${redact(oneLine(e))}\n`);
    return e instanceof SwitchyardError ? EXIT[e.kind] : 70;
  }
}

const io: Io = { out: (text) => process.stdout.write(text + '\n'), env: process.env };
main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`switchyard: ${redact(oneLine(e))}\n`);
    process.exitCode = 70;
  },
);
