import { Hono } from 'hono';
import { z } from 'zod';
import { startRollback, type RollbackMode } from '../../src/deploy/index.js';
import { notFound } from '../../src/errors.js';
import type { Deployment } from '../../src/store/index.js';
import { readTagNames } from '../../src/versions/naming.js';
import { alreadyUndone, readRollbackImpact } from '../../src/deploy/rollbackImpact.js';
import { toPublic } from '../../src/store/index.js';
import { actorOf, type UiDeps } from '../deps.js';
import type { UiEnv } from '../env.js';
import { formBody, idFromPath } from '../lib/form.js';
import { redirectWithError } from '../lib/respond.js';
import { streamProgress } from '../live/stream.js';
import { deploymentTitle } from '../views/deployment.js';
import { HistoryView } from '../views/history.js';
import { ProgressView } from '../views/progress.js';
import { renderPage } from '../views/render.js';
import { RollbackConfirm, type RollbackPlan } from '../views/rollback.js';

const rollbackForm = z.object({
  mode: z.enum(['full', 'images-only', 'database-only'], { message: 'choose what to roll back' }),
  confirm: z.literal('yes', { message: 'tick the box that confirms you read what will happen' }),
});

/** History, the progress of one operation, and rolling back to before one. */
export function deploymentRoutes(deps: UiDeps) {
  const { ctx, output } = deps;
  const find = (raw: string | undefined): Deployment => {
    const id = idFromPath(raw, 'deployment');
    const deployment = ctx.store.deployments.get(id);
    if (!deployment) throw notFound(`deployment #${id} does not exist`);
    return deployment;
  };

  return new Hono<UiEnv>()
    .get('/history', async (c) => {
      const tags = await readTagNames(ctx.config.project.dir);
      const all = ctx.store.deployments.list(100);
      const entries = all.map((deployment) => ({
        deployment,
        steps: ctx.store.deployments.steps(deployment.id),
        canRollBack: Object.values(rollbackPlan(deps, deployment).modes).some((why) => why === null),
        // Not offered where it would undo a rollback that already happened (the confirmation page still explains it).
        undone: alreadyUndone(deployment, all),
      }));
      return renderPage(c, { title: 'History', section: 'history', session: c.get('session') }, <HistoryView entries={entries} tags={tags} />);
    })
    .get('/deployments/:id', async (c) => {
      const d = find(c.req.param('id'));
      if (d.status === 'running') output.watch(d.id);
      const tags = await readTagNames(ctx.config.project.dir);
      const view = <ProgressView deployment={d} steps={ctx.store.deployments.steps(d.id)} output={output.snapshot(d.id)} tags={tags} />;
      return renderPage(c, { title: `#${d.id} ${deploymentTitle(d, tags)}`, section: 'history', session: c.get('session') }, view);
    })
    .get('/deployments/:id/events', (c) => streamProgress(c, deps, find(c.req.param('id')).id))
    .get('/deployments/:id/rollback', async (c) => {
      const d = find(c.req.param('id'));
      const base = rollbackPlan(deps, d);
      const backupRow = base.backup ? ctx.store.backups.get(base.backup.id) : undefined;
      const plan: RollbackPlan = {
        ...base,
        tags: await readTagNames(ctx.config.project.dir),
        undone: alreadyUndone(d, ctx.store.deployments.list(1000)),
        impact: backupRow && base.modes['database-only'] === null ? await readRollbackImpact(ctx, backupRow) : null,
      };
      const session = c.get('session');
      const title = `Roll back to before #${d.id}`;
      const impossible = Object.values(plan.modes).every((why) => why !== null);
      const body = impossible ? (
        <p class="flash flash-error" role="alert">
          <strong>Not possible: </strong>
          {plan.modes.full}
        </p>
      ) : (
        <RollbackConfirm plan={plan} session={session} />
      );
      return renderPage(c, { title, section: 'history', session }, body);
    })
    .post('/deployments/:id/rollback', async (c) => {
      const d = find(c.req.param('id'));
      const back = `/deployments/${d.id}/rollback`;
      try {
        const form = await formBody(c, rollbackForm);
        const started = await startRollback(ctx, { deploymentId: d.id, mode: form.mode, actor: actorOf(c.get('session')) });
        output.watch(started.id);
        void started.done; // runs on; the progress page follows it
        return c.redirect(`/deployments/${started.id}`, 303);
      } catch (e) {
        return redirectWithError(c, e, back);
      }
    });
}

/** Which kinds of rollback the record allows, and why not the others (mirrors startRollback's checks). */
function rollbackPlan({ ctx }: UiDeps, target: Deployment): Omit<RollbackPlan, 'tags' | 'undone' | 'impact'> {
  const backupRow = target.backupId ? ctx.store.backups.get(target.backupId) : undefined;
  const backup = backupRow?.status === 'ok' ? toPublic(backupRow) : undefined;
  const running = target.status === 'running' ? 'it is still running' : null;
  const noImages = Object.keys(target.previousImages ?? {}).length === 0 ? 'no previous images were recorded' : null;
  const noBackup = backup ? null : backupRow ? `its backup #${backupRow.id} is ${backupRow.status}` : 'it has no database backup';
  return {
    target,
    backup,
    modes: {
      full: running ?? noImages ?? noBackup,
      'images-only': running ?? noImages,
      'database-only': running ?? noBackup,
    } satisfies Record<RollbackMode, string | null>,
    stoppedServices: ctx.config.rollback.stopServices ?? Object.keys(ctx.config.services),
  };
}
