import { Hono } from 'hono';
import { z } from 'zod';
import { planRollback, ROLLBACK_MODES, rollbackBlockers } from '../../src/deploy/index.js';
import { startRollback } from '../../src/app/ports/deploy.js';
import { notFound } from '../../src/errors.js';
import type { Deployment } from '../../src/store/index.js';
import { may } from '../auth/sessions.js';
import { readTagNames } from '../../src/versions/naming.js';
import { alreadyUndone } from '../../src/carryover/rollbackImpact.js';
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
import { downloadLeftovers } from '../lib/download.js';

const rollbackForm = z.object({
  mode: z.enum(['full', 'images-only', 'database-only'], { message: 'choose what to roll back' }),
  confirm: z.literal('yes', { message: 'tick the box that confirms you read what will happen' }),
  carryOver: z
    .enum(['inserts', 'none'], { message: 'choose what becomes of rows written since the backup' })
    .optional(),
});

/** History, the progress of one operation, and rolling back to before one. */
export function deploymentRoutes(deps: UiDeps) {
  const { ctx, output } = deps;
  const backupOf = (d: Deployment) => (d.backupId ? ctx.store.backups.get(d.backupId) : undefined);
  const find = (raw: string | undefined): Deployment => {
    const id = idFromPath(raw, 'deployment');
    const deployment = ctx.store.deployments.get(id);
    if (!deployment) throw notFound(`deployment #${id} does not exist`);
    return deployment;
  };

  return new Hono<UiEnv>()
    .get('/history', async (c) => {
      const operator = may(c.get('session'), 'operator');
      const tags = await readTagNames(ctx.config.project.dir);
      const all = ctx.store.deployments.list(100);
      const entries = all.map((deployment) => ({
        deployment,
        steps: ctx.store.deployments.steps(deployment.id),
        canRollBack:
          operator && Object.values(rollbackBlockers(deployment, backupOf(deployment))).some((why) => why === null),
        // Not offered where it would undo a rollback that already happened (the confirmation page still explains it).
        undone: alreadyUndone(deployment, all),
      }));
      return renderPage(
        c,
        { title: 'History', section: 'history', session: c.get('session') },
        <HistoryView entries={entries} tags={tags} />,
      );
    })
    .get('/deployments/:id', async (c) => {
      const d = find(c.req.param('id'));
      if (d.status === 'running') output.watch(d.id);
      const tags = await readTagNames(ctx.config.project.dir);
      const view = (
        <ProgressView
          deployment={d}
          steps={ctx.store.deployments.steps(d.id)}
          output={output.snapshot(d.id)}
          tags={tags}
        />
      );
      return renderPage(
        c,
        { title: `#${d.id} ${deploymentTitle(d, tags)}`, section: 'history', session: c.get('session') },
        view,
      );
    })
    .get('/deployments/:id/leftovers', async (c) => {
      const d = find(c.req.param('id'));
      return downloadLeftovers(c, ctx, d.id, actorOf(c.get('session')).name);
    })
    .get('/deployments/:id/events', (c) => streamProgress(c, deps, find(c.req.param('id')).id))
    .get('/deployments/:id/rollback', async (c) => {
      const d = find(c.req.param('id'));
      const plan = await rollbackView(deps, d);
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
        const started = await startRollback(ctx, {
          deploymentId: d.id,
          mode: form.mode,
          actor: actorOf(c.get('session')).name,
          carryOver: form.carryOver,
        });
        output.watch(started.id);
        void started.done; // runs on; the progress page follows it
        return c.redirect(`/deployments/${started.id}`, 303);
      } catch (e) {
        return redirectWithError(c, e, back);
      }
    });
}

/** The rollback plan of src/deploy, in the confirmation view's terms: each mode with why it is not possible. */
async function rollbackView({ ctx }: UiDeps, target: Deployment): Promise<RollbackPlan> {
  const plan = await planRollback(ctx, target);
  const modes = Object.fromEntries(
    ROLLBACK_MODES.map((m) => [m, plan.modes[m]?.reason ?? null]),
  ) as RollbackPlan['modes'];
  const { backup, stoppedServices, undone, impact } = plan;
  return {
    target,
    backup,
    modes,
    stoppedServices,
    undone,
    impact,
    tags: await readTagNames(ctx.config.project.dir),
    carryOver: ctx.config.rollback.carryOver,
  };
}
