#!/usr/bin/env node
import { SwitchyardError, oneLine, type ErrorKind } from '../errors.js';
import { Redactor } from '../util/redact.js';
import { terminalText } from '../util/terminalText.js';
import { VERSION } from '../version.js';
import { closeOpened } from './closing.js';
import type { Io } from './io.js';

type Run = (argv: string[], io: Io) => Promise<void>;
type Command = { load: () => Promise<Run>; usage: string; summary: string };

// Each command's module is loaded only when that command runs: `--help` or `config` never load Docker, SQLite or Hono.
const backup = () => import('./commands/backup.js');
const operations = () => import('./commands/deploy.js');

const COMMANDS: Record<string, Command> = {
  serve: {
    load: () => import('./commands/serve.js').then((m) => m.serveCommand),
    usage: 'serve',
    summary: 'run the daemon: HTTP API and backup schedule',
  },
  backup: {
    load: () => backup().then((m) => m.backupCommand),
    usage: 'backup [--reason TEXT]',
    summary: 'take a verified backup now',
  },
  backups: {
    load: () => backup().then((m) => m.backupsCommand),
    usage: 'backups',
    summary: 'list backups, newest first',
  },
  drill: {
    load: () => import('./commands/drill.js').then((m) => m.drillCommand),
    usage: 'drill [BACKUP_ID] | --offsite [NAME] --identity FILE',
    summary: 'restore a backup (or its off-site copy) into a scratch database and verify it',
  },
  offsite: {
    load: () => import('./commands/offsite.js').then((m) => m.offsiteCommand),
    usage: 'offsite push [BACKUP_ID] | list | verify NAME --identity FILE',
    summary: 'copy backups off-site now; list or verify the copies in the bucket',
  },
  versions: {
    load: () => import('./commands/versions.js').then((m) => m.versionsCommand),
    usage: 'versions',
    summary: 'list releases, tags and commits with CI status and image availability',
  },
  deploy: {
    load: () => operations().then((m) => m.deployCommand),
    usage: 'deploy REF [--detach|--dry-run] | --current [--detach]',
    summary: 'deploy a tag, branch or commit, or restart the current pair (backup first, rollback on failure)',
  },
  rollback: {
    load: () => operations().then((m) => m.rollbackCommand),
    usage: 'rollback ID [--images-only|--database-only] [--carry-over inserts|none] [--dry-run]',
    summary: 'bring back the images, commit and data from before deployment ID',
  },
  restore: {
    load: () => import('./commands/restore.js').then((m) => m.restoreCommand),
    usage: 'restore --offsite latest|NAME --identity FILE [--with-images] [--force]',
    summary: 'emergency restore from the bucket: the database, and with --with-images the exact pair',
  },
  deployments: {
    load: () => operations().then((m) => m.deploymentsCommand),
    usage: 'deployments [ID]',
    summary: 'list deployments, or show one with its steps',
  },
  status: {
    load: () => import('./commands/status.js').then((m) => m.statusCommand),
    usage: 'status',
    summary: "what is deployed and running, the app's state, whether the daemon runs (exit 0 only when healthy)",
  },
  logs: {
    load: () => import('./commands/logs.js').then((m) => m.logsCommand),
    usage: 'logs SERVICE [--tail N] [--follow]',
    summary: "a compose service's container log, secrets masked; --follow for new lines",
  },
  compose: {
    load: () => import('./commands/compose.js').then((m) => m.composeCommand),
    usage: 'compose -- ARGS...',
    summary: 'docker compose with the project files and the pin file',
  },
  recover: {
    load: () => import('./commands/recover.js').then((m) => m.recoverCommand),
    usage: 'recover',
    summary: 'finish or undo an operation a crash left unfinished',
  },
  init: {
    load: () => import('./commands/init.js').then((m) => m.initCommand),
    usage: 'init --project-dir DIR [--install-unit]',
    summary: 'write a commented config from the compose files',
  },
  doctor: {
    load: () => import('./commands/doctor.js').then((m) => m.doctorCommand),
    usage: 'doctor',
    summary: 'check docker, compose, database, backups, registry, GitHub, unit',
  },
  config: {
    load: () => import('./commands/config.js').then((m) => m.configCommand),
    usage: 'config',
    summary: 'validate the config and print it with defaults',
  },
  user: {
    load: () => import('./commands/user.js').then((m) => m.userCommand),
    usage: 'user add NAME --role ROLE|list|remove NAME|role NAME ROLE',
    summary: 'named users with a personal token and a role (viewer, operator, admin)',
  },
};

// sysexits(3), so scripts can tell a bad config from a busy lock from a failed dump.
const EXIT: Record<ErrorKind, number> = {
  input: 64,
  'not-found': 66,
  auth: 77,
  forbidden: 77,
  limited: 75,
  config: 78,
  conflict: 75,
  failed: 1,
};

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
    io.err(`switchyard: unknown command "${terminalText(name)}" (see switchyard --help)`);
    return 64;
  }
  try {
    await (await command.load())(rest, io);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    io.err(`switchyard ${name}: ${terminalText(io.redactor.redact(oneLine(e)))}`);
    return e instanceof SwitchyardError ? EXIT[e.kind] : 70;
  } finally {
    closeOpened();
  }
}

// The composition root of a CLI process: one redactor for the command's Context and for the error printed here,
// and the terminal's two streams, through which every text passes with its control characters made visible.
const io: Io = {
  out: (text) => process.stdout.write(`${terminalText(text, { lines: true })}\n`),
  err: (text) => process.stderr.write(`${terminalText(text, { lines: true })}\n`),
  env: process.env,
  redactor: new Redactor(),
};
main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    io.err(`switchyard: ${terminalText(io.redactor.redact(oneLine(e)))}`);
    process.exitCode = 70;
  },
);
