import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processIsAlive } from '../../src/util/process.js';
import { CLI, switchyard } from '../fixtures/cli.js';
import type { TestContext } from '../fixtures/context.js';
import { freePort, hasCompose, hasDocker, need } from '../fixtures/env.js';
import { createSampleApp, sampleAppContext, type SampleApp } from '../fixtures/sampleApp.js';

const TOKEN = 'recovery-test-token-0123456789';
/** Several deploys each, on a host whose two cores other test runs share. */
const SLOW = 400_000;
const ready = need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose());

/**
 * Orphans made for real: a CLI deploy SIGKILLed while `docker compose up` runs, next to the real daemon process
 * (`switchyard serve`). The daemon shows the orphan, recovers it before its own next operation, and never replays
 * an orphan that a later deploy superseded. A CLI stopped by SIGHUP or Ctrl-C stops at a step boundary and says so.
 */
describe.runIf(ready)('crash recovery of orphaned operations, with the daemon running', () => {
  let app: SampleApp;
  let ctx: TestContext;
  let port: number;
  let daemon: ChildProcess | undefined;
  let daemonLog = '';

  const cli = (args: string[]) => switchyard([...args, '--config', ctx.configFile]);
  const until = async (what: () => boolean, label: string, ms = 90_000) => {
    const end = Date.now() + ms;
    while (!what()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${label}; daemon log: ${daemonLog.slice(-800)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const api = async (method: 'GET' | 'POST', route: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${port}${route}`, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const served = async () => (await (await fetch(`http://127.0.0.1:${app.httpPort}/version`)).text()).trim();
  const rows = () => Number(app.psql('SELECT count(*) FROM requests'));

  async function startDaemon(): Promise<void> {
    daemonLog = '';
    daemon = spawn(process.execPath, [CLI, 'serve', '--config', ctx.configFile], {
      env: { ...process.env, SWITCHYARD_ADMIN_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    daemon.stdout!.on('data', (c: Buffer) => (daemonLog += c));
    daemon.stderr!.on('data', (c: Buffer) => (daemonLog += c));
    const end = Date.now() + 90_000;
    while (
      !(await fetch(`http://127.0.0.1:${port}/api/health`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (Date.now() > end || daemon.exitCode !== null) throw new Error(`the daemon did not start: ${daemonLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Runs the CLI until the step runs, then SIGKILLs it, and waits for its children (compose) to end too. */
  async function killDuring(args: string[], step: string): Promise<{ pid: number; deploymentId: number }> {
    const child = spawn(process.execPath, [CLI, ...args, '--config', ctx.configFile], { stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    let deploymentId = 0;
    await until(() => {
      const d = ctx.store.deployments.unfinished().at(-1);
      if (!d || !ctx.store.deployments.steps(d.id).some((s) => s.name === step && s.status === 'running')) return false;
      deploymentId = d.id;
      return true;
    }, `step "${step}"`);
    const children = execFileSync('ps', ['--ppid', String(child.pid), '-o', 'pid='], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.trim())
      .map(Number);
    child.kill('SIGKILL');
    await exited;
    await until(() => children.every((p) => !processIsAlive(p)), "the killed CLI's children to end");
    return { pid: child.pid!, deploymentId };
  }

  beforeAll(async () => {
    app = createSampleApp({ versions: ['v1', 'v2'] });
    app.startByHand();
    port = await freePort();
    ctx = sampleAppContext(app, `server: { listen: "127.0.0.1:${port}" }`);
    const first = await cli(['deploy', 'v1.0.0']);
    expect(first.code, first.stderr).toBe(0);
  }, SLOW);
  afterAll(async () => {
    if (daemon && daemon.exitCode === null) {
      const exited = new Promise((r) => daemon!.once('exit', r));
      daemon.kill('SIGTERM');
      await exited;
    }
    ctx?.cleanup();
    app?.cleanup();
  });

  it(
    'an orphan older than a later deploy is closed "superseded" at daemon start: no restore, newer rows survive',
    async () => {
      // The state the old daemon left: a CLI deploy killed during "up", then a later deploy that took the dead
      // process's lock without recovering it (hidden from it here), then rows written by the newer version.
      const orphan = await killDuring(['deploy', 'v2.0.0'], 'up');
      ctx.store.deployments.finish(orphan.deploymentId, 'failed', 'hidden from the next deploy by the test');
      const later = await cli(['deploy', 'v2.0.0', '--json']);
      expect(later.code, later.stderr).toBe(0);
      const newer = JSON.parse(later.stdout) as { id: number };
      ctx.store.db
        .prepare(`UPDATE deployments SET status = 'running', error = NULL, finished_at = NULL WHERE id = ?`)
        .run(orphan.deploymentId);
      app.psql(`INSERT INTO requests (title, priority) SELECT 'after v2 #' || g, 1 FROM generate_series(1, 250) g`);
      const count = rows();
      const backups = ctx.store.backups.list().length;

      await startDaemon();
      expect(ctx.store.deployments.get(orphan.deploymentId)).toMatchObject({ status: 'superseded' });
      expect(ctx.store.deployments.get(orphan.deploymentId)!.error).toContain(`superseded by deployment ${newer.id}`);
      expect(ctx.store.deployments.steps(orphan.deploymentId).map((s) => s.name)).not.toContain(
        'rollback: restore database',
      );
      expect(rows()).toBe(count);
      expect(app.psql(`SELECT count(*) FROM requests WHERE priority IS NOT NULL`)).toBe(String(count)); // v2's column
      expect(ctx.store.backups.list()).toHaveLength(backups);
      expect(await served()).toBe('v2.0.0');
      const status = (await api('GET', '/api/system/current-version')).body;
      expect(status.deployment).toMatchObject({ id: newer.id });
      expect(status.operation).toBeNull();
      expect(status.recovered).toEqual([expect.objectContaining({ id: orphan.deploymentId, status: 'superseded' })]);
    },
    SLOW,
  );

  it(
    'a CLI deploy SIGKILLed during "up" shows as orphaned; the next API deploy recovers it first and succeeds',
    async () => {
      const orphan = await killDuring(['deploy', 'v1.0.0'], 'up');
      const shown = (await api('GET', '/api/system/current-version')).body;
      expect(shown.operation).toMatchObject({ state: 'orphaned', pid: orphan.pid, deploymentId: orphan.deploymentId });
      const status = await cli(['status']);
      expect(status.stdout).toContain(`orphaned: deploy v1.0.0 (pid ${orphan.pid}, gone)`);

      const started = await api('POST', '/api/system/deployments', { ref: 'v1.0.0' });
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      const { id } = started.body as { id: number };
      // Recovered before the new deploy was recorded: the undo put v2 back, healthy.
      expect(ctx.store.deployments.get(orphan.deploymentId)).toMatchObject({ status: 'interrupted' });
      expect(ctx.store.deployments.steps(orphan.deploymentId).map((s) => `${s.name}:${s.status}`)).toContain(
        'rollback: health:ok',
      );
      await until(() => ctx.store.deployments.get(id)!.status !== 'running', 'the API deploy to end');
      expect(ctx.store.deployments.get(id)).toMatchObject({ status: 'succeeded', previousCommit: app.commits.v2 });
      expect(await served()).toBe('v1.0.0');
      expect(ctx.store.audit.list().find((e) => e.target === `deployment ${orphan.deploymentId}`)).toMatchObject({
        actor: 'recovery',
        outcome: 'ok',
      });
      const after = (await api('GET', '/api/system/current-version')).body;
      expect(after).toMatchObject({ operation: null, recovered: [], deployment: { id } });
    },
    SLOW,
  );

  it.each([
    ['SIGHUP', 129],
    ['SIGINT', 130],
  ] as const)(
    'a CLI deploy sent %s stops at a step boundary, says so, and the next operation recovers it',
    async (signal, code) => {
      const child = spawn(process.execPath, [CLI, 'deploy', 'v2.0.0', '--config', ctx.configFile], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      let sent = false;
      child.stderr!.on('data', (c: Buffer) => {
        stderr += c;
        if (!sent && stderr.includes('started')) {
          sent = true;
          child.kill(signal);
        }
      });
      const exit = await new Promise<number | string | null>((r) => child.once('exit', (c, sig) => r(c ?? sig)));
      expect(exit, stderr).toBe(code);
      expect(stderr).toMatch(new RegExp(`stopping before step ".+" \\(${signal}\\); the next operation recovers`));
      const stopped = ctx.store.deployments.unfinished()[0]!;
      expect(ctx.store.deployments.steps(stopped.id).every((s) => s.status !== 'running')).toBe(true);

      const recovered = await cli(['recover']);
      expect(recovered.code, recovered.stderr).toBe(0);
      expect(recovered.stdout).toMatch(new RegExp(`^deployment ${stopped.id}: interrupted: interrupted after step`));
      expect(ctx.store.deployments.unfinished()).toEqual([]);
    },
    SLOW,
  );

  it('`recover` says what it cleaned up: an interrupted backup and its temp file', async () => {
    const dead = spawn('true');
    await new Promise((r) => dead.once('exit', r));
    const id = ctx.store.backups.begin({
      fileName: 'app-interrupted.dump.zst',
      tempName: '.app-interrupted.dump.zst.partial',
      databaseName: 'app',
      reason: 'manual',
      note: null,
      actor: 'test',
      createdAt: new Date().toISOString(),
      deploymentId: null,
    });
    ctx.store.db.prepare(`UPDATE backups SET owner_pid = ? WHERE id = ?`).run(dead.pid, id);
    fs.mkdirSync(ctx.config.backups.dir, { recursive: true });
    const temp = path.join(ctx.config.backups.dir, '.app-interrupted.dump.zst.partial');
    fs.writeFileSync(temp, 'half a dump');

    const recovered = await cli(['recover']);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(recovered.stdout).toBe('cleaned up 1 interrupted backup(s) and their temp files\n');
    expect(fs.existsSync(temp)).toBe(false);
    expect(ctx.store.backups.get(id)).toMatchObject({ status: 'failed' });
    expect((await cli(['recover'])).stdout).toBe('nothing to recover\n');
  });
});
