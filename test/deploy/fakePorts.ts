import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeploymentEvents } from '../../src/ops/events.js';
import type { DeployPorts } from '../../src/deploy/ports.js';
import { recoverOrphans } from '../../src/deploy/recover.js';
import { StopSignal } from '../../src/ops/shutdown.js';
import type { HostState } from '../../src/deploy/state.js';
import type { Notification } from '../../src/notify/payloads.js';
import { openStore, type BackupRow, type ImagePins, type Store } from '../../src/store/index.js';
import { createLogger } from '../../src/util/log.js';
import { Redactor } from '../../src/util/redact.js';

/** Where the fake clock starts: far from the real time, so a timestamp that did not come from it shows. */
export const FAKE_EPOCH = new Date('2031-02-03T04:05:06.000Z');

/** Port methods a test can make fail (once, or always). */
export type FakeCall =
  | 'host.inspect'
  | 'host.assertCleanWorkTree'
  | 'host.checkout'
  | 'host.writePins'
  | 'host.restorePins'
  | 'engine.pull'
  | 'engine.ensurePresent'
  | 'engine.preflight'
  | 'engine.up'
  | 'engine.stop'
  | 'engine.health'
  | 'engine.diagnose'
  | 'database.dump'
  | 'database.checkDump'
  | 'database.restore'
  | 'database.restoreOnline'
  | 'online.stageRows'
  | 'online.fence'
  | 'online.carryOver'
  | 'online.swap'
  | 'database.dumpKept'
  | 'database.swapBack'
  | 'database.dropKept'
  | 'database.schemaFingerprint'
  | 'cleanup';

export interface FakeWorld {
  ports: DeployPorts;
  store: Store;
  /** Every port call, in order, with its argument where it matters. */
  calls: string[];
  notifications: Array<Omit<Notification, 'at'>>;
  /** This world's secrets; `logLines` are the log lines the ports wrote (errors and up). */
  redactor: Redactor;
  logLines: string[];
  /** A clock that starts at FAKE_EPOCH and moves one second on every reading. */
  clock: { now(): Date; readings: number };
  /** What the fake host runs: the commit and pins (changed by checkout, pins and up). */
  host: HostState;
  /** The live schema fingerprint; a deploy's "migration" changes it at `up`. */
  fingerprint: string;
  /** The kept databases on the fake server: "<owner>" or "<owner>_undo" (src/backup/kept.ts). */
  kept: Set<string>;
  /** How many times the kept databases were looked up on the (fake) server. */
  keptLookups: number;
  /** What the room check of a rollback says (null: room). */
  spaceProblem: string | null;
  failOnce(call: FakeCall): void;
  failAlways(call: FakeCall): void;
  cleanup(): void;
}

/**
 * The pipeline's ports as in-memory fakes over a real SQLite store in a temp dir: no Docker, no
 * PostgreSQL, no git. `options.migrates` makes `up` of a new version change the schema, as a
 * version with migrations would.
 */
export function fakeWorld(
  options: { migrates?: boolean; settings?: Partial<DeployPorts['settings']> } = {},
): FakeWorld {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-fake-'));
  // A lock whose holders are always alive unless a test says otherwise.
  const store = openStore(dir);
  const calls: string[] = [];
  const notifications: FakeWorld['notifications'] = [];
  const once = new Set<FakeCall>();
  const always = new Set<FakeCall>();
  let pinned: ImagePins = { backend: 'repo@sha256:old', worker: 'repo@sha256:old' };
  const world: FakeWorld = {
    ports: undefined as unknown as DeployPorts,
    store,
    calls,
    notifications,
    redactor: new Redactor(),
    logLines: [],
    clock: {
      readings: 0,
      now: () => new Date(FAKE_EPOCH.getTime() + 1000 * world.clock.readings++),
    },
    host: { commit: 'a'.repeat(40), images: { ...pinned } },
    fingerprint: 'schema-1',
    kept: new Set(),
    spaceProblem: null,
    keptLookups: 0,
    failOnce: (c) => once.add(c),
    failAlways: (c) => always.add(c),
    cleanup: () => {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  const call = async (name: FakeCall, detail = '') => {
    calls.push(detail ? `${name} ${detail}` : name);
    if (always.has(name) || once.delete(name)) throw new Error(`${name} failed`);
  };
  let backups = 0;
  const dump = (reason: BackupRow['reason'], deploymentId: number | null | undefined): BackupRow => {
    const id = store.backups.begin({
      fileName: `dump-${++backups}.dump`,
      tempName: `.dump-${backups}.partial`,
      databaseName: 'app',
      reason,
      note: null,
      actor: 'test',
      createdAt: new Date().toISOString(),
      deploymentId: deploymentId ?? null,
    });
    store.backups.succeed(id, {
      sizeBytes: 10,
      sha256: 'x',
      serverVersion: '15',
      rowCounts: {},
      schemaFingerprint: world.fingerprint,
    });
    return store.backups.get(id)!;
  };

  world.ports = {
    settings: {
      restoreDatabase: 'auto',
      allowWithoutBackup: false,
      allowDirtyWorkTree: false,
      databaseWriters: ['backend'],
      carryOver: 'inserts',
      ...options.settings,
    },
    deployments: store.deployments,
    backups: store.backups,
    audit: store.audit,
    lock: store.lock,
    events: new DeploymentEvents(),
    log: createLogger({ redactor: world.redactor, level: 'error', write: (l) => world.logLines.push(l) }),
    redactor: world.redactor,
    clock: world.clock,
    notify: (n) => notifications.push(n),
    stop: new StopSignal(),
    recoverOrphans: () => recoverOrphans(world.ports),
    engine: {
      pull: async (targets) => {
        await call('engine.pull');
        return Object.fromEntries(Object.entries(targets).map(([s, ref]) => [s, `${ref}@sha256:new`]));
      },
      ensurePresent: async () => call('engine.ensurePresent'),
      preflight: async () => {
        await call('engine.preflight');
        return { neededBytes: 12, freeBytes: 1000 };
      },
      up: async () => {
        await call('engine.up');
        const changes = JSON.stringify(pinned) !== JSON.stringify(world.host.images);
        if (options.migrates && changes && Object.values(pinned).some((r) => r.endsWith('@sha256:new')))
          world.fingerprint = 'schema-2';
        world.host.images = { ...pinned };
      },
      stop: async (services) => call('engine.stop', services.join(',')),
      health: async () => call('engine.health'),
      diagnose: async (step, error) => {
        await call('engine.diagnose', step);
        return { step, headline: `service backend is unhealthy: ${error}`, containers: [], error };
      },
    },
    host: {
      inspect: async () => {
        await call('host.inspect');
        return { commit: world.host.commit, images: { ...world.host.images } };
      },
      assertCleanWorkTree: async () => call('host.assertCleanWorkTree'),
      checkout: async (sha) => {
        await call('host.checkout', sha.slice(0, 7));
        world.host.commit = sha;
      },
      writePins: async (pins) => {
        await call('host.writePins');
        pinned = { ...pins };
      },
      restorePins: async (previous) => {
        await call('host.restorePins');
        pinned = { ...previous.images };
      },
    },
    database: {
      dump: async (request) => {
        await call('database.dump', request.reason);
        return dump(request.reason, request.deploymentId);
      },
      checkDump: async () => call('database.checkDump'),
      spaceProblem: async () => world.spaceProblem,
      restore: async (backup) => {
        await call('database.restore', backup.fileName);
        world.fingerprint = backup.schemaFingerprint ?? world.fingerprint;
      },
      restoreOnline: async (backup, mode, keep) => {
        await call('database.restoreOnline', `${backup.fileName} ${mode}`);
        return {
          via: 'fake',
          stageRows: async () => {
            await call('online.stageRows');
            return { tables: 0 };
          },
          fence: async () => {
            await call('online.fence');
            return { ended: 0 };
          },
          carryOver: async ({ file }) => {
            await call('online.carryOver');
            return { mode: 'inserts', tables: [], leftoversFile: file };
          },
          swap: async () => {
            await call('online.swap');
            world.fingerprint = backup.schemaFingerprint ?? world.fingerprint;
            const kept = keptKey(keep);
            world.kept.add(kept);
            return { kept };
          },
          abandon: async () => {
            calls.push('online.abandon');
          },
        };
      },
      keptDatabases: async () => {
        world.keptLookups++;
        return [...world.kept]
          .map((k) => ({ owner: Number.parseInt(k, 10), undo: k.endsWith('_undo') }))
          .sort((a, b) => a.owner - b.owner);
      },
      dumpKept: async (ref, request) => {
        await call('database.dumpKept', keptKey(ref));
        return dump(request.reason, request.deploymentId);
      },
      swapBack: async (owner) => {
        await call('database.swapBack', String(owner));
        world.kept.delete(String(owner));
        world.kept.add(`${owner}_undo`);
      },
      dropKept: async (ref) => {
        await call('database.dropKept', keptKey(ref));
        world.kept.delete(keptKey(ref));
      },
      leftoversFile: (id) => `/backups/rollback-${id}.leftovers.sql`,
      schemaFingerprint: async () => {
        await call('database.schemaFingerprint');
        return world.fingerprint;
      },
    },
    cleanup: async () => {
      await call('cleanup');
      return { prunedBackups: 0, removedImages: 0 };
    },
    repairLeftovers: async () => {
      calls.push('repairLeftovers');
      return [];
    },
  };
  return world;
}

const keptKey = (ref: { owner: number; undo: boolean }) => `${ref.owner}${ref.undo ? '_undo' : ''}`;

/** "name:status" of every journaled step of a deployment. */
export const journaled = (store: Store, id: number) => store.deployments.steps(id).map((s) => `${s.name}:${s.status}`);
