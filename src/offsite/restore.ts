import { streamCompose } from '../compose/project.js';
import type { Config } from '../config/index.js';
import { quoteIdent, type DatabaseTarget } from '../database/index.js';
import { conflict, inputError, oneLine } from '../errors.js';
import { Journal } from '../ops/journal.js';
import { startOperation } from '../ops/operation.js';
import type { DeployPorts } from '../deploy/ports.js';
import { finishDeployment } from '../ops/report.js';
import { StoppedAtBoundary } from '../ops/shutdown.js';
import { isGitRepo } from '../util/git.js';
import type { BackupRow, Deployment, Store } from '../store/index.js';
import { openBucket, type Bucket } from './bucket.js';
import { findManifest } from './catalog.js';
import { fetchIntoCatalog } from './fetch.js';
import type { FetchPorts } from './ports.js';
import type { Manifest } from './manifest.js';
import { offsiteConfig } from './push.js';

export interface OffsiteRestoreRequest {
  /** `latest` or a backup file name from `offsite list`. */
  name: string;
  identityFile: string | null;
  withImages: boolean;
  force: boolean;
  actor: string;
  /** Download progress and phase lines, for the terminal. */
  onProgress?: (line: string) => void;
}

export interface DatabaseState {
  exists: boolean;
  /** Tables outside the system schemas. */
  tables: number;
}

export type RestoreStep =
  | 'check'
  | 'download'
  | 'backup'
  | 'stop writers'
  | 'checkout'
  | 'pull'
  | 'pin'
  | 'restore database'
  | 'up'
  | 'health';

export interface RestorePlan {
  steps: RestoreStep[];
  createDatabase: boolean;
}

/**
 * What an emergency restore from the bucket will do, decided from data alone:
 * refuses a non-empty database without --force (which adds a safety backup and
 * stops the writers first), and --with-images without a recorded pair or with
 * images a fresh host cannot pull (pinned by local image id).
 */
export function planOffsiteRestore(input: {
  manifest: Manifest;
  database: DatabaseState;
  databaseName: string;
  withImages: boolean;
  force: boolean;
  gitRepo: boolean;
}): RestorePlan {
  const { manifest: m, database, withImages, force } = input;
  if (m.databaseName !== input.databaseName) {
    throw inputError(
      `${m.fileName} is a backup of database "${m.databaseName}", but the config names "${input.databaseName}"`,
    );
  }
  const nonEmpty = database.exists && database.tables > 0;
  if (nonEmpty && !force) {
    throw conflict(
      `database "${input.databaseName}" is not empty (${database.tables} tables); restore --offsite fills an empty or missing database, ` +
        'or pass --force to take a safety backup and replace it',
    );
  }
  if (withImages) {
    if (!m.pair || Object.keys(m.pair.images).length === 0)
      throw inputError(`${m.fileName} recorded no running images; restore without --with-images`);
    for (const [service, ref] of Object.entries(m.pair.images)) {
      if (!ref.includes('@sha256:'))
        throw inputError(
          `service ${service} ran ${ref}, a local image without a registry digest; a fresh host cannot pull it`,
        );
    }
  }
  const steps: RestoreStep[] = ['check', 'download'];
  if (nonEmpty) steps.push('backup', 'stop writers');
  if (withImages) {
    if (input.gitRepo && m.pair!.commit) steps.push('checkout');
    steps.push('pull', 'pin');
  }
  steps.push('restore database');
  // The writers stopped for the swap start again (on the host's own pins), as a database-only rollback's do.
  if (withImages || nonEmpty) steps.push('up', 'health');
  return { steps, createDatabase: !database.exists };
}

export interface OffsiteRestoreResult {
  deployment: Deployment;
  manifest: Manifest;
  /** Each step's wall time: the recovery time, phase by phase. */
  phases: Array<{ name: string; seconds: number }>;
}

/**
 * What the restore reads besides the deploy ports (which it runs its steps on): the bucket's
 * config, the database to check and start, the compose project, and the catalog it fetches into.
 */
export interface OffsiteRestorePorts extends FetchPorts {
  config: Pick<Config, 'backups' | 'offsite' | 'database' | 'project' | 'stateDir'>;
  store: Pick<Store, 'backups' | 'offsite' | 'deployments'>;
  database(): DatabaseTarget;
}

/**
 * `restore --offsite`: the runbook's emergency restore, from the bucket alone.
 * Recorded as a deployment of kind `restore` and journaled step by step; the
 * database goes through the same verified restore as a rollback (restored into
 * a fresh database, checked against the manifest's row counts and schema
 * fingerprint, then swapped in). The daemon need not run.
 */
export async function restoreFromOffsite(
  ctx: OffsiteRestorePorts,
  ports: DeployPorts,
  request: OffsiteRestoreRequest,
  bucket?: Bucket,
): Promise<OffsiteRestoreResult> {
  const b = bucket ?? openBucket(offsiteConfig(ctx));
  const manifest = await findManifest(b, request.name);
  const pair = request.withImages ? manifest.pair : null;
  const started = await startOperation(
    ports,
    `restore --offsite ${manifest.fileName}`,
    (at) =>
      ports.deployments.create({
        kind: 'restore',
        ref: `offsite ${manifest.fileName}`,
        commit: pair?.commit ?? null,
        tag: pair?.version ?? null,
        actor: request.actor,
        createdAt: at,
      }),
    (id) => runRestore(ctx, ports, id, b, manifest, request),
    (id) => ports.deployments.get(id)!,
  );
  const deployment = await started.done;
  return { deployment, manifest, phases: phasesOf(ctx, started.id) };
}

async function runRestore(
  ctx: OffsiteRestorePorts,
  ports: DeployPorts,
  id: number,
  bucket: Bucket,
  m: Manifest,
  request: OffsiteRestoreRequest,
): Promise<Deployment> {
  const journal = new Journal(ports, id);
  const { deployments, engine, host, database } = ports;
  const say = request.onProgress ?? (() => undefined);
  const target = ctx.database();
  try {
    if (ctx.config.database.mode === 'service') {
      const service = ctx.config.database.service;
      await journal.step(
        'start database',
        () => streamCompose(ctx.config, ['up', '--detach', '--wait', service], (l) => journal.log(l)),
        () => ({ service }),
      );
    }
    const plan = await journal.step(
      'check',
      async () =>
        planOffsiteRestore({
          manifest: m,
          database: await databaseState(ctx),
          databaseName: target.database,
          withImages: request.withImages,
          force: request.force,
          gitRepo: await isGitRepo(ctx.config.project.dir),
        }),
      (p) => ({ backup: m.fileName, steps: p.steps, createDatabase: p.createDatabase }),
    );
    say(`plan: ${plan.steps.join(' → ')}`);
    const fetched = await journal.step(
      'download',
      () =>
        fetchIntoCatalog(ctx, bucket, m, request.identityFile, request.actor, (bytes, total) =>
          say(`download ${(bytes / 1048576).toFixed(0)} MiB${total ? ` of ${(total / 1048576).toFixed(0)} MiB` : ''}`),
        ),
      (f) => ({ backup: f.backup.id, file: f.backup.fileName, seconds: f.seconds }),
    );
    deployments.setBackup(id, fetched.backup.id);

    let safety: BackupRow | undefined;
    let running: Record<string, string> = {};
    if (plan.steps.includes('backup')) {
      const previous = await host.inspect();
      running = previous.images;
      deployments.setPrevious(id, previous.commit, previous.images);
      safety = await journal.step(
        'backup',
        () =>
          database.dump({
            reason: 'pre-rollback',
            note: `before restore --offsite ${m.fileName}`,
            actor: request.actor,
            deploymentId: id,
          }),
        (s) => ({ id: s.id, file: s.fileName }),
      );
      const writers = ports.settings.databaseWriters;
      // No managed services (a database-only config): nothing to stop, and a bare `compose stop` would stop everything.
      if (writers.length === 0) journal.skip('stop writers', 'no managed services');
      else
        await journal.step(
          'stop writers',
          () => engine.stop(writers, (l) => journal.log(l)),
          () => ({ services: writers }),
        );
    }
    const pins = request.withImages ? (m.pair?.images ?? {}) : running;
    if (plan.steps.includes('checkout')) {
      const commit = m.pair!.commit!;
      await journal.step(
        'checkout',
        () => host.checkout(commit),
        () => ({ commit }),
      );
    }
    if (plan.steps.includes('pull')) {
      await journal.step(
        'pull',
        () => engine.ensurePresent(pins, (p) => journal.progress(p)),
        () => pins,
      );
      deployments.setImages(id, pins);
      await journal.step('pin', () => host.writePins(pins));
    }
    await journal.step(
      'restore database',
      async () => {
        if (plan.createDatabase) {
          const admin = await target.session('postgres');
          try {
            await admin.query(`CREATE DATABASE ${quoteIdent(target.database)}`);
          } finally {
            await admin.close();
          }
        }
        await database.restore(fetched.backup);
      },
      () => ({ backup: fetched.backup.id, created: plan.createDatabase, rowCounts: m.rowCounts }),
    );
    if (plan.steps.includes('up')) {
      await journal.step('up', () => engine.up((l) => journal.log(l)));
      await journal.step('health', () => engine.health(pins));
    }
    if (safety) say(`safety backup of the replaced database: ${safety.fileName}`);
    return finish('succeeded', null);
  } catch (e) {
    if (e instanceof StoppedAtBoundary) throw e;
    return finish('failed', `restore --offsite ${m.fileName} failed: ${oneLine(e)}`);
  }

  function finish(status: 'succeeded' | 'failed', error: string | null): Deployment {
    return finishDeployment(ports, id, status, error, (message) => ({
      audit: {
        actor: request.actor,
        action: 'restore',
        target: m.object.key,
        ok: status === 'succeeded',
        detail: message,
      },
      notification: {
        event: 'restore',
        ok: status === 'succeeded',
        summary: message ?? `restored ${m.fileName} from the bucket${request.withImages ? ' with its images' : ''}`,
        details: { id, backup: m.fileName, status },
      },
      log: {
        level: status === 'succeeded' ? 'info' : 'error',
        message: 'restore --offsite finished',
        fields: { deployment: id, status },
      },
    }));
  }
}

/** Whether the configured database exists and how many tables it holds (the emptiness rule). */
async function databaseState(ctx: OffsiteRestorePorts): Promise<DatabaseState> {
  const target = ctx.database();
  const admin = await target.session('postgres');
  let exists: boolean;
  try {
    exists =
      (await admin.query(
        `SELECT count(*) FROM pg_database WHERE datname = '${target.database.replace(/'/g, "''")}'`,
      )) === '1';
  } finally {
    await admin.close();
  }
  if (!exists) return { exists, tables: 0 };
  const session = await target.session();
  try {
    const tables = Number(
      await session.query(
        `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`,
      ),
    );
    return { exists, tables };
  } finally {
    await session.close();
  }
}

function phasesOf(ctx: OffsiteRestorePorts, id: number): Array<{ name: string; seconds: number }> {
  return ctx.store.deployments.steps(id).map((s) => ({
    name: s.name,
    seconds: s.finishedAt ? Math.round(Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000 : 0,
  }));
}
