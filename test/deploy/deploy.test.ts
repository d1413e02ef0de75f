import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureReportOf, type FailureReport } from '../../src/deploy/diagnosis.js';
import { startRollback } from '../../src/app/ports/deploy.js';
import { deploy, startDeploy } from '../../src/app/ports/deploy.js';
import { inspectImage, serviceContainers } from '../../src/docker/images.js';
import type { Deployment } from '../../src/store/index.js';
import { switchyard } from '../fixtures/cli.js';
import { backupFiles, type TestContext } from '../fixtures/context.js';
import { hasCompose, hasDocker, need, run } from '../fixtures/env.js';
import { createSampleApp, sampleAppContext, type SampleApp } from '../fixtures/sampleApp.js';

const ready = need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose());

describe.runIf(ready)('deploy pipeline on real Docker, compose, registry and PostgreSQL', () => {
  let app: SampleApp;
  let ctx: TestContext;

  const head = () => run('git', ['-C', app.dir, 'rev-parse', 'HEAD']).trim();
  const servedVersion = async () => (await (await fetch(`http://127.0.0.1:${app.httpPort}/version`)).text()).trim();
  const runningImages = async () => {
    const project = await ctx.projectName();
    const result: Record<string, string> = {};
    for (const service of ['backend', 'worker']) {
      const [container] = await serviceContainers(ctx.docker(), project, service);
      result[service] = container!.imageId;
    }
    return result;
  };
  const imageIdOf = async (ref: string) => (await inspectImage(ctx.docker(), ref))!.id;
  const stepNames = (d: Deployment) => ctx.store.deployments.steps(d.id).map((s) => `${s.name}:${s.status}`);

  beforeAll(() => {
    app = createSampleApp();
    app.startByHand(); // v1 from :latest, as operators ran it before switchyard
    ctx = sampleAppContext(app);
  });
  afterAll(() => {
    ctx?.cleanup();
    app?.cleanup();
  });

  it('adopts a host started by hand: deploying v1 records the :latest digests it replaced', async () => {
    const latestId = await imageIdOf(`${app.imageRepo}:latest`);
    const d = await deploy(ctx, { ref: 'v1.0.0', actor: 'test' });
    expect(d.error).toBeNull();
    expect(d.status).toBe('succeeded');
    expect(d.previousCommit).toBe(app.commits.v1);
    expect(d.previousImages?.backend).toMatch(new RegExp(`^${app.imageRepo}@sha256:[0-9a-f]{64}$`));
    expect(await imageIdOf(d.previousImages!.backend!)).toBe(latestId);
    expect(d.images?.backend).toMatch(/@sha256:/);
  });

  it('deploys v2: pre-deploy backup, v2 digests running, HEAD at v2, history and audit', async () => {
    const before = ctx.store.backups.list().length;
    const d = await deploy(ctx, { ref: 'v2.0.0', actor: 'test' });
    expect(d.status).toBe('succeeded');

    const backup = ctx.store.backups.get(d.backupId!)!;
    expect(ctx.store.backups.list().length).toBe(before + 1);
    expect(backup).toMatchObject({ reason: 'pre-deploy', status: 'ok', deploymentId: d.id });
    expect(backup.fileName).toMatch(/^\d{8}T\d{6}Z_app_pre-deploy\.dump\.zst$/);
    expect(backupFiles(ctx)).toContain(backup.fileName);

    const running = await runningImages();
    expect(running.backend).toBe(await imageIdOf(d.images!.backend!));
    expect(running.worker).toBe(await imageIdOf(d.images!.worker!));
    expect(await imageIdOf(d.images!.backend!)).toBe(await imageIdOf(`${app.imageRepo}:${app.commits.v2.slice(0, 7)}`));
    expect(head()).toBe(app.commits.v2);
    expect(await servedVersion()).toBe('v2.0.0');
    expect(
      app.psql(
        `SELECT count(*) FROM information_schema.columns WHERE table_name = 'requests' AND column_name = 'priority'`,
      ),
    ).toBe('1');

    expect(stepNames(d)).toEqual([
      'resolve:ok',
      'inspect:ok',
      'pull:ok',
      'preflight:ok',
      'backup:ok',
      'checkout:ok',
      'pin:ok',
      'up:ok',
      'health:ok',
      'cleanup:ok',
    ]);
    expect(ctx.store.deployments.current()?.id).toBe(d.id);
    expect(ctx.store.audit.list().find((a) => a.action === 'deploy')).toMatchObject({
      target: 'v2.0.0',
      outcome: 'ok',
      actor: 'test',
    });
    expect(fs.readFileSync(`${ctx.config.stateDir}/pins.compose.yml`, 'utf8')).toContain(d.images!.backend!);
    // Image cleanup ran, and kept what a rollback to before this deployment needs.
    expect(stepNames(d)).toContain('cleanup:ok');
    expect(await inspectImage(ctx.docker(), d.previousImages!.backend!)).toBeDefined();
  });

  it('rolls back by itself when v3 is unhealthy, restoring the database its migration changed', async () => {
    const requestsBefore = app.psql(`SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM requests t`);
    const v2 = ctx.store.deployments.current()!;
    const d = await deploy(ctx, { ref: 'v3.0.0', actor: 'test' });

    expect(d.status).toBe('rolled-back');
    expect(d.error).toMatch(
      /deploy of v3\.0\.0 failed: .*; rolled back to the previous version \(images, commit [0-9a-f]{7}, database from /,
    );
    // Why, kept before the rollback recreated the containers: the failing service and its health check in the
    // headline, its log lines and health-check results in the journal.
    expect(d.error).toMatch(
      /^deploy of v3\.0\.0 failed: up: service backend is unhealthy: last health check exited 1: .*404/,
    );
    const report = failureReportOf(ctx.store.deployments.steps(d.id))!;
    expect(report.step).toBe('up');
    expect(report.containers.map((c) => c.service)).toEqual(['backend']);
    expect(report.containers[0]!.logs).toContain('backend v3.0.0 starting');
    expect(report.containers[0]!.healthChecks.at(-1)).toMatchObject({
      exitCode: 1,
      output: expect.stringContaining('404'),
    });

    // The CLI shows the same, why first; status names the version by its tag; dry runs say what would change.
    const config = ['--config', ctx.configFile];
    const shown = await switchyard(['deployments', String(d.id), ...config]);
    expect(shown.stdout).toMatch(/WHY IT FAILED \(step up\): service backend is unhealthy/);
    expect(shown.stdout.indexOf('backend v3.0.0 starting')).toBeLessThan(shown.stdout.indexOf('STEP'));
    expect((await switchyard(['status', ...config])).stdout).toMatch(
      new RegExp(`^deployed: v2\\.0\\.0 \\(${v2.commit!.slice(0, 7)}\\)`),
    );
    const preview = await switchyard(['deploy', 'v3.0.0', '--dry-run', ...config]);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain(`deploy v3.0.0: commit ${app.commits.v3.slice(0, 7)}`);
    expect(preview.stdout).toContain(`now running: commit ${v2.commit!.slice(0, 7)}`);
    expect(preview.stdout).toMatch(
      /commits brought in: 1\n {2}[0-9a-f]{7} feat\(backend\): release v3\.0\.0 \(Sample Dev, /,
    );
    expect(preview.stdout).toContain('tag message:\n  Release v3.0.0');
    const { plan: impact } = JSON.parse(
      (await switchyard(['rollback', String(v2.id), '--dry-run', '--json', ...config])).stdout,
    ) as {
      plan: {
        undone: string | null;
        impact: { tables: Array<{ table: string; rowsNow: number; rowsInDump: number }>; tablesDropped: string[] };
      };
    };
    expect(impact.undone).toBeNull();
    expect(impact.impact.tablesDropped).toEqual(['public.categories']); // v2's migration added it; v2's pre-deploy dump lacks it
    expect(impact.impact.tables.find((t) => t.table === 'public.requests')).toMatchObject({
      rowsNow: 50,
      rowsInDump: 50,
    });
    const { plan: undone } = JSON.parse(
      (await switchyard(['rollback', String(d.id), '--dry-run', '--json', ...config])).stdout,
    ) as {
      plan: { undone: string };
    };
    expect(undone.undone).toBe(`deployment #${d.id} was already rolled back automatically when it failed`);
    expect(ctx.store.deployments.current()?.id).toBe(v2.id); // dry runs changed nothing
    expect(stepNames(d)).toEqual(
      expect.arrayContaining([
        'up:failed',
        'rollback: checkout:ok',
        'rollback: restore copy:ok',
        'rollback: fence:ok',
        'rollback: carry over:ok',
        'rollback: swap database:ok',
        'rollback: up:ok',
        'rollback: health:ok',
        // The database v3 migrated, kept at the swap, dumped once v2 is healthy again, then dropped.
        'safety backup:ok',
        'drop kept database:ok',
      ]),
    );
    expect(head()).toBe(app.commits.v2);
    expect((await runningImages()).backend).toBe(await imageIdOf(v2.images!.backend!));
    expect(await servedVersion()).toBe('v2.0.0');
    expect(app.psql(`SELECT count(*) FROM pg_tables WHERE tablename = 'attachments'`)).toBe('0');
    expect(app.psql(`SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM requests t`)).toBe(requestsBefore);
    expect(ctx.store.deployments.current()?.id).toBe(v2.id);
    expect(app.psql(`SELECT count(*) FROM pg_database WHERE datname LIKE 'app\\_sy\\_%'`)).toBe('0');
  });

  it('remembers the failed v3 in versions --json; a rollback whose up fails keeps its own diagnosis', async () => {
    const config = ['--config', ctx.configFile];
    const v3 = ctx.store.deployments.list().find((d) => d.tag === 'v3.0.0')!;
    const v2 = ctx.store.deployments.current()!;
    const listed = JSON.parse((await switchyard(['versions', '--json', ...config])).stdout) as {
      versions: Array<{ ref: string; failed: { id: number; at: string; headline: string } | null }>;
    };
    expect(listed.versions.find((v) => v.ref === 'v3.0.0')?.failed).toEqual({
      id: v3.id,
      at: v3.finishedAt,
      headline: expect.stringMatching(/^up: service backend is unhealthy: last health check exited 1/),
    });
    expect(listed.versions.find((v) => v.ref === 'v2.0.0')?.failed).toBeNull();

    // v2's record made to say that v3's images ran before it: rolling back to them starts the broken v3.
    const setPrevious = ctx.store.db.prepare('UPDATE deployments SET previous_images = ? WHERE id = ?');
    setPrevious.run(JSON.stringify(v3.images), v2.id);
    const r = await (
      await startRollback(ctx, { deploymentId: v2.id, mode: 'images-only', actor: 'test' })
    ).done.finally(() => setPrevious.run(JSON.stringify(v2.previousImages), v2.id));
    expect(r.status).toBe('rolled-back');
    expect(r.error).toMatch(/^rollback failed: up: service backend is unhealthy: last health check exited 1: .*404/);
    const shown = JSON.parse((await switchyard(['deployments', String(r.id), '--json', ...config])).stdout) as {
      failure: FailureReport | null;
      failures: FailureReport[];
    };
    expect(shown.failures).toHaveLength(1);
    expect(shown.failure).toEqual(shown.failures[0]);
    expect(shown.failure?.step).toBe('up');
    expect(shown.failure?.containers.map((c) => c.service)).toEqual(['backend']);
    expect(shown.failures[0]!.containers[0]!.logs).toContain('backend v3.0.0 starting');
    expect(await servedVersion()).toBe('v2.0.0'); // its undo put v2 back
  });

  it('rolls back v4 (unhealthy, no schema change) and leaves the database alone', async () => {
    const d = await deploy(ctx, { ref: 'v4.0.0', actor: 'test' });
    expect(d.status).toBe('rolled-back');
    // Stop-first (the backend publishes its port): while `compose up --wait` waited, where the backend was.
    const waited = ctx.store.deployments
      .output(d.id)
      .filter((l) => new RegExp(`^${app.project}-backend-\\d+: running, health (starting|unhealthy), \\d+ s`).test(l));
    expect(waited.length, ctx.store.deployments.output(d.id).join('\n')).toBeGreaterThanOrEqual(2);
    expect(stepNames(d)).toContain('rollback: restore database:skipped');
    expect(app.psql(`SELECT count(*) FROM requests WHERE title = 'written while v4 was starting'`)).toBe('1');
    expect(await servedVersion()).toBe('v2.0.0');
    expect(head()).toBe(app.commits.v2);
  });

  it('fails cleanly, with no change and no backup, for a version whose images were never built', async () => {
    run('git', ['-C', app.dir, 'commit', '-q', '--allow-empty', '-m', 'chore: never built']);
    const unbuilt = run('git', ['-C', app.dir, 'rev-parse', 'HEAD']).trim();
    run('git', ['-C', app.dir, 'checkout', '-q', app.commits.v2]);
    const backups = ctx.store.backups.list().length;
    const imagesBefore = await runningImages();

    const d = await deploy(ctx, { ref: unbuilt.slice(0, 12), actor: 'test' });

    expect(d.status).toBe('failed');
    expect(d.error).toMatch(
      new RegExp(`failed before any change: pull of ${app.imageRepo}:${unbuilt.slice(0, 7)} failed`),
    );
    expect(ctx.store.backups.list().length).toBe(backups);
    expect(head()).toBe(app.commits.v2);
    expect(await runningImages()).toEqual(imagesBefore);
    expect(stepNames(d)).toContain('pull:failed');
    expect(stepNames(d).some((s) => s.startsWith('backup'))).toBe(false);
  });

  it('refuses a dirty work tree before any change or backup', async () => {
    const file = `${app.dir}/docker-compose.yml`;
    const original = fs.readFileSync(file, 'utf8');
    fs.appendFileSync(file, '# edited by hand on the server\n');
    try {
      const backups = ctx.store.backups.list().length;
      const d = await deploy(ctx, { ref: 'v1.0.0', actor: 'test' });
      expect(d.status).toBe('failed');
      expect(d.error).toMatch(
        /failed before any change: the compose repo in .* has uncommitted changes \(docker-compose\.yml\)/,
      );
      expect(ctx.store.backups.list().length).toBe(backups);
      expect(head()).toBe(app.commits.v2);
    } finally {
      fs.writeFileSync(file, original);
    }
  });

  it.each(['$(touch /tmp/x)', '../../etc', '--upload-pack=touch /tmp/pwned', ';rm -rf /', 'v1.0.0 v2.0.0'])(
    'refuses the ref %j before anything runs',
    async (ref) => {
      const count = ctx.store.deployments.list().length;
      await expect(startDeploy(ctx, { ref, actor: 'test' })).rejects.toMatchObject({ kind: 'input' });
      expect(ctx.store.deployments.list().length).toBe(count);
      expect(fs.existsSync('/tmp/pwned')).toBe(false);
    },
  );

  it('lets one deploy run at a time', async () => {
    const first = await startDeploy(ctx, { ref: 'v2.0.0', actor: 'test' });
    await expect(startDeploy(ctx, { ref: 'v1.0.0', actor: 'test' })).rejects.toThrow(
      /another operation is running: deploy v2\.0\.0/,
    );
    expect((await first.done).status).toBe('succeeded');
  });
});
