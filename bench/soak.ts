/**
 * Soak: N deploy + rollback cycles of the sample app (v1 <-> v2) through the real
 * daemon's HTTP API, while a writer inserts a row into the app's database every
 * 50 ms. Reports, per switch, the writes that failed and the rows lost; a switch
 * that restores the database is checked against the dump it restored (a row
 * missing afterwards must be one that dump does not hold). Also the daemon's RSS
 * and open file handles before and after. A benchmark, not a test (not in CI):
 *
 *   SOAK_CYCLES=30 npm run bench:soak      # default 30 cycles
 *   SOAK_WRITER=direct npm run bench:soak  # write even while the app is stopped
 *
 * By default a write stands for a request to the app: it is made only while the
 * backend answers (a stopped app takes no requests; the attempt counts as failed).
 * With SOAK_WRITER=direct the writer ignores the app and writes straight into the
 * database all the time, like a cron job switchyard does not know about.
 *
 * Goals: RSS growth < 10 MB over the soak; no row lost by a switch that restores no database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CLI } from '../test/fixtures/cli.js';
import { dumpRows } from '../test/fixtures/dumpRows.js';
import { freePort } from '../test/fixtures/env.js';
import { createSampleApp, dbAddress, sampleAppContext, type SampleApp } from '../test/fixtures/sampleApp.js';
import { envInt, median, MiB, requireTools, runBenchmark, sleep, stopIfInterrupted, writeResults } from './lib.js';
import { Writer } from '../test/fixtures/outsideWriter.js';

const CYCLES = envInt('SOAK_CYCLES', 30, 1);
const WRITE_INTERVAL_MS = 50;
const DIRECT = process.env.SOAK_WRITER === 'direct';
const TOKEN = `soak-admin-token-${Math.random().toString(36).slice(2)}`;

interface SwitchReport {
  cycle: number;
  kind: 'deploy' | 'rollback';
  deploymentId: number;
  status: string;
  error: string | null;
  seconds: number;
  restoredDatabase: boolean;
  writesAttempted: number;
  writesFailed: number;
  /** Acknowledged rows missing after the switch. */
  rowsLost: number;
  /** Of those, rows the restored dump does hold: lost by something other than the restore. */
  rowsLostUnexplained: number;
}

/** The daemon's resident memory and open file handles, from /proc. */
function daemonUsage(pid: number): { rssBytes: number; openFiles: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  return { rssBytes: rssKb * 1024, openFiles: fs.readdirSync(`/proc/${pid}/fd`).length };
}

function startDaemon(configFile: string, logFile: string): ChildProcess {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [CLI, 'serve', '--config', configFile], {
    env: { ...process.env, SWITCHYARD_ADMIN_TOKEN: TOKEN },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  return child;
}

async function main(): Promise<void> {
  requireTools({ postgres: true, docker: true });
  console.log(`soak: ${CYCLES} deploy+rollback cycles, a write every ${WRITE_INTERVAL_MS} ms`);
  const app: SampleApp = createSampleApp({ versions: ['v1', 'v2'] });
  let daemon: ChildProcess | undefined;
  let writer: Writer | undefined;
  try {
    app.startByHand();
    app.psql('CREATE TABLE soak_writes (seq bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())');
    const port = await freePort();
    const ctx = sampleAppContext(app, `server: { listen: "127.0.0.1:${port}" }`);
    try {
      const base = `http://127.0.0.1:${port}`;
      const api = async (method: string, route: string, body?: unknown) => {
        const res = await fetch(`${base}/api/system${route}`, {
          method,
          headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const json = (await res.json()) as Record<string, unknown>;
        if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
        return json;
      };
      const daemonLog = path.join(ctx.root, 'daemon.log');
      daemon = startDaemon(ctx.configFile, daemonLog);
      for (let i = 0; ; i++) {
        if (
          await fetch(`${base}/api/health`).then(
            (r) => r.ok,
            () => false,
          )
        )
          break;
        if (i > 100 || daemon.exitCode !== null)
          throw new Error(`the daemon did not start: ${fs.readFileSync(daemonLog, 'utf8').slice(-2000)}`);
        await sleep(200);
      }

      let dbHost = dbAddress(app);
      const health = `http://127.0.0.1:${app.httpPort}/health`;
      const appUp = () =>
        fetch(health, { signal: AbortSignal.timeout(500) }).then(
          (r) => r.ok,
          () => false,
        );
      // Inserts a row per write; keeps what was acknowledged.
      const acked = new Set<number>();
      writer = new Writer({
        host: () => dbHost,
        intervalMs: WRITE_INTERVAL_MS,
        ready: DIRECT ? undefined : appUp,
        write: async (client, seq) => {
          await client.query('INSERT INTO soak_writes (seq) VALUES ($1)', [seq]);
          acked.add(seq);
        },
      });
      writer.start();

      /** Starts an operation over the API, waits for its end, then measures what the writer saw. */
      const runSwitch = async (
        cycle: number,
        kind: SwitchReport['kind'],
        start: () => Promise<number>,
      ): Promise<SwitchReport> => {
        const w = writer!;
        const [attempts0, failures0] = [w.attempts, w.failures];
        const started = performance.now();
        const id = await start();
        let record: { status: string; error: string | null };
        let steps: Array<{ name: string; status: string; detail: unknown }>;
        for (;;) {
          const one = (await api('GET', `/deployments/${id}`)) as { deployment: typeof record; steps: typeof steps };
          [record, steps] = [one.deployment, one.steps];
          if (record.status !== 'running') break;
          await sleep(250);
        }
        const seconds = (performance.now() - started) / 1000;
        await sleep(500); // the writer's first write after the switch
        const ackedBefore = new Set(acked);
        dbHost = dbAddress(app); // compose may have recreated the db container
        const present = new Set(app.psql('SELECT seq FROM soak_writes').split('\n').filter(Boolean).map(Number));
        const lost = [...ackedBefore].filter((s) => !present.has(s));
        // A restore shows as a step; its detail names the backup, and the last one restored is what the database holds.
        const restores = steps.filter((s) => /restore database/.test(s.name) && s.status === 'ok');
        const restoredDatabase = restores.length > 0;
        let unexplained = lost.length;
        if (restoredDatabase && lost.length > 0) {
          const detail = restores.at(-1)!.detail;
          const backupId = (typeof detail === 'string' ? JSON.parse(detail) : detail) as { backup: number };
          const backup = ((await api('GET', `/backups/${backupId.backup}`)) as { backup: { fileName: string } }).backup;
          const inDump = new Set(
            dumpRows(path.join(ctx.config.backups.dir, backup.fileName), 'soak_writes').map((r) => Number(r[0])),
          );
          unexplained = lost.filter((s) => inDump.has(s)).length;
        }
        for (const s of lost) acked.delete(s); // counted once, at the switch that lost it
        const report: SwitchReport = {
          cycle,
          kind,
          deploymentId: id,
          status: record.status,
          error: record.error,
          seconds,
          restoredDatabase,
          writesAttempted: w.attempts - attempts0,
          writesFailed: w.failures - failures0,
          rowsLost: lost.length,
          rowsLostUnexplained: unexplained,
        };
        const usage = daemonUsage(daemon!.pid!);
        console.log(
          `cycle ${cycle} ${kind} #${id} ${record.status} in ${seconds.toFixed(1)} s: ${report.writesFailed}/${report.writesAttempted} writes failed, ` +
            `${report.rowsLost} rows lost${restoredDatabase ? ` (database restored; ${unexplained} not explained by the dump)` : ''}; ` +
            (record.error ? `error: ${record.error.slice(0, 200)}; ` : '') +
            `daemon RSS ${(usage.rssBytes / MiB).toFixed(1)} MB, ${usage.openFiles} open files`,
        );
        return report;
      };

      // Untimed warm-up: the daemon adopts the hand-started v1, so the soak starts from a switchyard deployment.
      const deployRef = async (ref: string) => Number((await api('POST', '/deployments', { ref })).id);
      await runSwitch(0, 'deploy', () => deployRef('v1.0.0'));
      const before = daemonUsage(daemon.pid!);
      const samples = [before];
      const switches: SwitchReport[] = [];
      for (let cycle = 1; cycle <= CYCLES; cycle++) {
        stopIfInterrupted();
        const deployed = await runSwitch(cycle, 'deploy', () => deployRef('v2.0.0'));
        switches.push(deployed);
        switches.push(
          await runSwitch(cycle, 'rollback', async () =>
            Number((await api('POST', `/deployments/${deployed.deploymentId}/rollback`, {})).id),
          ),
        );
        samples.push(daemonUsage(daemon.pid!));
      }
      await writer.stop();
      writer = undefined;
      const after = daemonUsage(daemon.pid!);

      const noRestore = switches.filter((s) => !s.restoredDatabase);
      const restore = switches.filter((s) => s.restoredDatabase);
      const sum = (list: SwitchReport[], key: keyof SwitchReport) => list.reduce((n, s) => n + Number(s[key]), 0);
      const rssGrowthMb = (after.rssBytes - before.rssBytes) / MiB;
      const summary = {
        date: new Date().toISOString(),
        cycles: CYCLES,
        writer: DIRECT ? 'direct' : 'through the app',
        switches: switches.length,
        failedSwitches: switches.filter((s) => s.status !== 'succeeded').length,
        writesFailedPerSwitch: {
          median: median(switches.map((s) => s.writesFailed)),
          max: Math.max(...switches.map((s) => s.writesFailed)),
        },
        rowsLostBySwitchesWithoutRestore: sum(noRestore, 'rowsLost'),
        rowsLostByRestores: sum(restore, 'rowsLost'),
        rowsLostUnexplained: sum(switches, 'rowsLostUnexplained'),
        daemon: {
          rssBeforeMb: before.rssBytes / MiB,
          rssAfterMb: after.rssBytes / MiB,
          rssGrowthMb,
          rssMaxMb: Math.max(...samples.map((s) => s.rssBytes)) / MiB,
          openFilesBefore: before.openFiles,
          openFilesAfter: after.openFiles,
        },
        goals: { rssGrowthUnder10Mb: rssGrowthMb < 10, noRowLostWithoutRestore: sum(noRestore, 'rowsLost') === 0 },
        perSwitch: switches,
      };
      console.log(
        `\nsoak (${CYCLES} cycles, writer ${summary.writer}, ${switches.length} switches, ${summary.failedSwitches} failed): failed writes per switch median ${summary.writesFailedPerSwitch.median}, max ${summary.writesFailedPerSwitch.max}; ` +
          `rows lost without a restore ${summary.rowsLostBySwitchesWithoutRestore}, by restores ${summary.rowsLostByRestores} (unexplained by the dump: ${summary.rowsLostUnexplained}); ` +
          `daemon RSS ${summary.daemon.rssBeforeMb.toFixed(1)} -> ${summary.daemon.rssAfterMb.toFixed(1)} MB (${rssGrowthMb >= 0 ? '+' : ''}${rssGrowthMb.toFixed(1)}, max ${summary.daemon.rssMaxMb.toFixed(1)}), ` +
          `open files ${before.openFiles} -> ${after.openFiles}; goals: ${JSON.stringify(summary.goals)}`,
      );
      writeResults(DIRECT ? 'soak-direct.json' : 'soak.json', summary);
    } finally {
      await writer?.stop();
      if (daemon && daemon.exitCode === null) {
        daemon.kill('SIGTERM');
        await new Promise((r) => daemon!.once('exit', r));
      }
      ctx.cleanup();
    }
  } finally {
    app.cleanup();
  }
}

runBenchmark(import.meta.url, 'soak benchmark', main);
