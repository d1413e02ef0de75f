import YAML from 'yaml';

export interface InitAnswers {
  projectDir: string;
  composeFiles: string[];
  /** The compose project already running from projectDir, when init found one. */
  projectName: string | null;
  /** The swarm stack to deploy as (project.engine: swarm), when init found or was given one. */
  stack: string | null;
  services: Record<string, string>;
  database: { service: string; user: string; name: string } | { url: string };
  githubRepo: string | null;
  stateDir: string;
  backupsDir: string;
  listen: string;
}

const q = (v: string) => YAML.stringify(v).trim();

/** A commented config: every key explained where it is set, so the file documents itself. */
export function renderConfig(a: InitAnswers): string {
  const services = Object.entries(a.services);
  const db = a.database;
  return [
    '# switchyard config, written by `switchyard init`. Reference: README, "Config reference".',
    '# Check it with `switchyard config` and the host with `switchyard doctor`.',
    'project:',
    `  dir: ${q(a.projectDir)}                 # the compose project (a git clone of the app's compose repo)`,
    `  composeFiles: [${a.composeFiles.map(q).join(', ')}]   # in order, relative to dir`,
    ...(a.projectName
      ? [`  name: ${q(a.projectName)}             # the compose project running from dir, found by init`]
      : []),
    ...(a.stack
      ? [
          '  engine: swarm                 # `docker stack deploy` to the swarm this engine manages',
          `  stack: ${q(a.stack)}             # the stack running these files, found by init`,
        ]
      : []),
    '',
    '# The services whose image switchyard pins by digest. Tag template: {sha7} {sha} {tag}.',
    services.length
      ? 'services:'
      : 'services: {}   # none found: add e.g. backend: { image: ghcr.io/acme/app-backend }',
    ...services.map(([name, image]) => `  ${name}: { image: ${q(image)}, tag: "{sha7}" }`),
    '',
    '# Where the app database is: through its compose service (docker exec), or a URL.',
    'database:',
    ...('url' in db
      ? [`  url: ${q(db.url)}`]
      : [`  service: ${q(db.service)}`, `  user: ${q(db.user)}`, `  name: ${q(db.name)}`]),
    '',
    'backups:',
    `  dir: ${q(a.backupsDir)}`,
    '  schedule: "0 3 * * *"        # daily at 03:00, server local time',
    '  keep: { last: 14, days: 30 } # retention; pre-deploy backups of the last 5 deployments are always kept',
    '',
    `stateDir: ${q(a.stateDir)}     # switchyard's own SQLite state`,
    'server:',
    `  listen: ${q(a.listen)}        # keep on loopback, or behind a TLS proxy`,
    '',
    'deploy:',
    '  restoreDatabase: auto          # on automatic rollback: auto (if migrations ran) | always | never',
    '',
    ...(a.githubRepo
      ? ['github:', `  repo: ${q(a.githubRepo)}`, '  tokenEnv: GITHUB_TOKEN        # set it in /etc/switchyard/env']
      : ['# github: { repo: owner/name, tokenEnv: GITHUB_TOKEN }   # releases and CI status']),
    '',
  ].join('\n');
}
