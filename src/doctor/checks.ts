import fs from 'node:fs/promises';
import { gitIn } from '../util/git.js';
import { estimateFromLastDump } from '../backup/estimate.js';
import { readComposeProjectName, runCompose } from '../compose/project.js';
import type { Config } from '../config/index.js';
import { runningComposeProjects, type DockerClient } from '../docker/client.js';
import type { Store } from '../store/index.js';
import type { Redactor } from '../util/redact.js';
import { registryAuth } from '../docker/auth.js';
import { imageExists } from '../docker/registry.js';
import { oneLine } from '../errors.js';
import { backupFormat } from '../backup/format.js';
import { serverMajor, toolVersion, type DatabaseTarget } from '../database/index.js';
import { formatMode } from '../util/format.js';
import { collect, spawnHost } from '../util/process.js';
import { fillTagTemplate } from '../versions/ref.js';
import { probeOffsite, probeProtection } from '../offsite/probe.js';
import { backupStaleness } from '../backup/staleness.js';
import { probeDaemon } from './daemonProbe.js';
import { dbPlacementCheck, registryCredentialsCheck, swarmManagerCheck, swarmStackCheck } from './swarmChecks.js';
import { fail, noOffsiteVerdict, pass, type Verdict } from './swarmRules.js';

export interface CheckResult extends Verdict {
  name: string;
}

/** What the checks read: the config, the engine, the database, the backups catalog; never a change. */
export interface DoctorPorts {
  config: Config;
  store: Pick<Store, 'backups'>;
  docker(): DockerClient;
  database(): DatabaseTarget;
  /** Registry credentials are registered as secrets when the image check reads them. */
  redactor: Redactor;
}

type Check = (ports: DoctorPorts) => Promise<Verdict>;

/**
 * The checklist, in the order an operator would fix things. Each check stands alone. A check marked `swarm` is
 * left out under project.engine: compose; compose-only checks say in their detail that swarm skips them.
 */
const CHECKS: Array<[string, Check] | [string, Check, 'swarm']> = [
  [
    'docker socket reachable',
    async (ports) => {
      const v = (await ports.docker().version()) as { Version: string };
      return pass(`engine ${v.Version}`);
    },
  ],
  ['swarm manager', swarmManagerCheck, 'swarm'],
  [
    'docker compose v2 present',
    async () => {
      const r = await collect(spawnHost('docker', ['compose', 'version', '--short']));
      const version = r.stdout.trim();
      return r.code === 0 && /^v?2\./.test(version)
        ? pass(`compose ${version}`)
        : fail(
            r.stderr.split('\n')[0] || `found "${version}"`,
            'install the docker compose v2 plugin (see scripts/provision.sh)',
          );
    },
  ],
  [
    'compose files parse',
    async (ports) => {
      const r = await runCompose(ports.config, ['config', '--quiet']);
      return r.code === 0
        ? pass(ports.config.project.composeFiles.join(', '))
        : fail(
            r.stderr.trim().split('\n').pop() ?? 'docker compose config failed',
            'fix the compose files or project.composeFiles',
          );
    },
  ],
  [
    'compose project running',
    async (ports) => {
      if (ports.config.project.engine === 'swarm')
        return pass('skipped under project.engine: swarm (see "swarm stack running")');
      const project = await readComposeProjectName(ports.config);
      const running = await runningComposeProjects(ports.docker());
      if (running.some((p) => p.name === project)) return pass(`project "${project}"`);
      const here = running.filter((p) => p.workingDir === ports.config.project.dir).map((p) => p.name);
      return fail(
        `no running container of compose project "${project}"; running compose projects: ${running.map((p) => `${p.name}${p.workingDir ? ` (${p.workingDir})` : ''}`).join(', ') || 'none'}`,
        here.length === 1
          ? `this directory's stack runs as project "${here[0]}": set project.name: ${here[0]} (or run \`switchyard init --force\`)`
          : `start the stack (\`switchyard compose up -d\`), or set project.name to the project that runs it`,
      );
    },
  ],
  ['swarm stack running', swarmStackCheck, 'swarm'],
  ['database task on this node', dbPlacementCheck, 'swarm'],
  [
    'database reachable, pg_dump new enough',
    async (ports) => {
      const target = await ports.database().reach(); // its description says which client programs, and why
      const session = await target.session();
      let server: number;
      try {
        server = await serverMajor(session);
      } finally {
        await session.close();
      }
      const r = await collect(await target.spawn('pg_dump', ['--version']));
      const dump = Number(/(\d+)(?:\.\d+)?/.exec(r.stdout)?.[1] ?? 0);
      return dump >= server
        ? pass(`${target.description}: server ${server}, pg_dump ${dump}`)
        : fail(
            `pg_dump ${dump} is older than server ${server}`,
            'install a pg_dump at least as new as the server (or use database.service)',
          );
    },
  ],
  [
    'zstd present for backups',
    async (ports) => {
      const version = await toolVersion('zstd');
      if (version) return pass(`zstd ${version} (backups.compression: ${ports.config.backups.compression.method})`);
      const zstdBackups = ports.store.backups
        .list({ status: 'ok' })
        .filter((b) => backupFormat(b.fileName) === 'zstd').length;
      if (ports.config.backups.compression.method !== 'zstd' && zstdBackups === 0) {
        return pass(
          `zstd not installed; not needed (backups.compression.method ${ports.config.backups.compression.method}, no .dump.zst backups)`,
        );
      }
      const why =
        ports.config.backups.compression.method === 'zstd'
          ? 'backups.compression.method is zstd'
          : `${zstdBackups} backups are .dump.zst`;
      return fail(`zstd is not installed on this host (${why})`, 'apt-get install zstd (see scripts/provision.sh)');
    },
  ],
  [
    'backups dir writable with room for the next dump',
    async (ports) => {
      const dir = ports.config.backups.dir;
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      await fs.access(dir, fs.constants.W_OK);
      const stats = await fs.statfs(dir);
      const free = stats.bavail * stats.bsize;
      const estimate = estimateFromLastDump(ports.store.backups.list({ status: 'ok' }), ports.database().database);
      const last = estimate?.expectedBytes ?? 0;
      return free > (estimate?.neededBytes ?? 0)
        ? pass(`${dir}: ${(free / 1073741824).toFixed(1)} GiB free, last dump ${(last / 1048576).toFixed(1)} MiB`)
        : fail(
            `${dir}: only ${(free / 1048576).toFixed(0)} MiB free, last dump ${(last / 1048576).toFixed(0)} MiB`,
            'free space or point backups.dir elsewhere',
          );
    },
  ],
  [
    'backups dir writable by switchyard alone',
    async (ports) => {
      // Whoever else can write there can swap a dump for another file, or for a FIFO that stalls its readers.
      const dir = ports.config.backups.dir;
      const stats = await fs.stat(dir);
      const mode = formatMode(stats.mode);
      const uid = process.getuid?.() ?? stats.uid;
      if (stats.uid !== uid)
        return fail(`${dir} belongs to uid ${stats.uid}, not to switchyard's user (uid ${uid})`, `chown ${uid} ${dir}`);
      return stats.mode & 0o022
        ? fail(`${dir} is mode ${mode}: other users can write there`, `chmod 700 ${dir}`)
        : pass(`${dir}: mode ${mode}`);
    },
  ],
  [
    'registry access for each image',
    async (ports) => {
      const services = Object.entries(ports.config.services);
      if (services.length === 0) return pass('no managed services');
      const head = await gitIn(ports.config.project.dir)
        .revparse(['HEAD'])
        .catch(() => null);
      const problems: string[] = [];
      for (const [name, s] of services) {
        const reference = `${s.image}:${fillTagTemplate(s.tag, { sha: head?.trim() ?? 'latest', tag: null })}`;
        const found = await imageExists(
          ports.docker(),
          reference,
          registryAuth(ports.config, reference, ports.redactor),
        );
        if (found.state === 'unknown') problems.push(`${name}: ${found.error}`);
      }
      return problems.length
        ? fail(
            problems.join('; '),
            'check registries.<host> in the config (or docker login) and that the registry is reachable',
          )
        : pass(`${services.length} service(s): registry answered`);
    },
  ],
  ['registry credentials reach the other nodes', registryCredentialsCheck, 'swarm'],
  [
    'GitHub token and repository',
    async (ports) => {
      const gh = ports.config.github;
      if (!gh) return pass('not configured (versions come from the local repo)');
      const token = process.env[gh.tokenEnv];
      const { Octokit } = await import('@octokit/rest'); // only here and for the versions list: not at every start
      const octokit = new Octokit({
        auth: token,
        baseUrl: gh.apiUrl ?? 'https://api.github.com',
        request: { signal: AbortSignal.timeout(5000) },
      });
      const [owner, repo] = gh.repo.split('/') as [string, string];
      const res = await octokit.repos.get({ owner, repo });
      const scopes = res.headers['x-oauth-scopes'];
      return pass(
        `${gh.repo} readable${token ? '' : ' without a token (rate limit 60/h)'}${scopes ? `, scopes: ${scopes}` : ''}`,
      );
    },
  ],
  [
    'newest backup age',
    async (ports) => {
      const newest = ports.store.backups.list({ status: 'ok' })[0];
      if (!newest) return fail('no backup yet', 'run `switchyard backup` (and set backups.schedule)');
      const age = backupStaleness(ports.config.backups.schedule, newest.createdAt);
      const allowed = `${age.allowedHours.toFixed(0)} h (${age.basis === 'schedule' ? 'backups.schedule' : 'the runbook'})`;
      return !age.stale
        ? pass(`${newest.fileName}, ${age.ageHours!.toFixed(1)} h old; allowed ${allowed}`)
        : fail(
            `${newest.fileName} is ${age.ageHours!.toFixed(1)} h old, older than the ${allowed} allowed`,
            'run `switchyard backup` and check backups.schedule',
          );
    },
  ],
  [
    'daemon running',
    async (ports) => {
      const probe = await probeDaemon(ports.config.server.listen);
      return probe.running
        ? pass(`switchyard ${probe.version} answers at ${probe.url}`)
        : fail(
            probe.why,
            'start it: `systemctl start switchyard` (or `switchyard serve`); without it no scheduled backup runs',
          );
    },
  ],
  [
    'backup schedule alive',
    async (ports) => {
      // Any scheduled run, good or failed, shows the schedule fires; whether the backups are good is the check above.
      const schedule = ports.config.backups.schedule;
      if (!schedule)
        return {
          ok: true,
          warn: true,
          detail: 'backups.schedule is not set: backups are taken only before deploys and by hand',
          fix: 'set backups.schedule, e.g. "0 3 * * *"',
        };
      const last = ports.store.backups.list().find((b) => b.reason === 'scheduled');
      const age = backupStaleness(schedule, last?.createdAt);
      if (!last)
        return {
          ok: true,
          warn: true,
          detail: `no scheduled backup yet (backups.schedule "${schedule}")`,
          fix: 'check again after its first run; the daemon runs the schedule',
        };
      const detail = `last scheduled backup ${last.fileName}, ${age.ageHours!.toFixed(1)} h ago; "${schedule}" allows ${age.allowedHours.toFixed(0)} h`;
      return age.stale
        ? fail(
            `${detail}: the schedule stopped`,
            'check that the daemon runs (`systemctl status switchyard`) and its log',
          )
        : pass(detail);
    },
  ],
  [
    'off-site bucket and recipients',
    async (ports) => {
      const offsite = ports.config.offsite;
      if (!offsite) return noOffsiteVerdict(ports.config.project.engine);
      const probe = await probeOffsite(offsite);
      return probe.ok ? pass(probe.detail) : fail(probe.detail, probe.fix);
    },
  ],
  [
    'off-site copies protected',
    async (ports) => {
      const offsite = ports.config.offsite;
      if (!offsite) return pass('not configured');
      const r = await probeProtection(offsite);
      if (!r.ok) return fail(r.detail, r.fix);
      return r.warn ? { ok: true, warn: true, detail: r.detail, fix: r.fix } : pass(r.detail);
    },
  ],
  [
    'systemd unit installed',
    async () => {
      const installed = await fs.access('/etc/systemd/system/switchyard.service').then(
        () => true,
        () => false,
      );
      return installed
        ? pass('/etc/systemd/system/switchyard.service')
        : fail('not installed', 'run `switchyard init --install-unit`');
    },
  ],
];

export async function runChecks(ports: DoctorPorts): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const [name, check, engine] of CHECKS) {
    if (engine && engine !== ports.config.project.engine) continue;
    try {
      results.push({ name, ...(await check(ports)) });
    } catch (e) {
      results.push({
        name,
        ok: false,
        detail: oneLine(e),
        fix: 'see the error; `switchyard doctor --verbose` logs more',
      });
    }
  }
  return results;
}
