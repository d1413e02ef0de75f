import { Hono } from 'hono';
import { z } from 'zod';
import { actorOf, type UiDeps } from '../deps.js';
import type { UiEnv } from '../env.js';
import { formBody, idFromPath } from '../lib/form.js';
import { redirectWithError } from '../lib/respond.js';
import { streamProgress } from '../live/stream.js';
import { deploymentTitle } from '../views/deployment.js';
import { HistoryView } from '../views/history.js';
import { ProgressView } from '../views/progress.js';
import { renderPage } from '../views/render.js';
import { RollbackConfirm } from '../views/rollback.js';

// The form's fields only: the app parses the mode and the carry-over (src/app/deploymentInput.ts).
const rollbackForm = z.object({
  mode: z.string({ message: 'choose what to roll back' }),
  confirm: z.literal('yes', { message: 'tick the box that confirms you read what will happen' }),
  carryOver: z.string().optional(),
});

/** History, the progress of one operation, and rolling back to before one. */
export function deploymentRoutes(deps: UiDeps) {
  const { output } = deps;
  const deployments = deps.app.deployments;
  // A path that names no deployment is a page that does not exist (404), as for backups.
  const idOf = (raw: string | undefined) => idFromPath(raw, 'deployment');

  return new Hono<UiEnv>()
    .get('/history', async (c) => {
      const { entries, tags } = await deployments.history(actorOf(c.get('session')));
      return renderPage(
        c,
        { title: 'History', section: 'history', session: c.get('session') },
        <HistoryView entries={entries} tags={tags} />,
      );
    })
    .get('/deployments/:id', async (c) => {
      const { deployment: d, steps } = deployments.detail(idOf(c.req.param('id')));
      if (d.status === 'running') output.watch(d.id);
      const tags = await deployments.tagNames();
      const view = <ProgressView deployment={d} steps={steps} output={output.snapshot(d.id)} tags={tags} />;
      return renderPage(
        c,
        { title: `#${d.id} ${deploymentTitle(d, tags)}`, section: 'history', session: c.get('session') },
        view,
      );
    })
    .get('/deployments/:id/leftovers', async (c) => {
      const download = await deployments.leftovers(actorOf(c.get('session')), idOf(c.req.param('id')));
      return c.body(download.body, 200, download.headers);
    })
    .get('/deployments/:id/events', (c) => streamProgress(c, deps, deployments.get(idOf(c.req.param('id'))).id))
    .get('/deployments/:id/rollback', async (c) => {
      const plan = await deployments.rollbackChoice(idOf(c.req.param('id')));
      const session = c.get('session');
      const title = `Roll back to before #${plan.target.id}`;
      const body = plan.impossible ? (
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
      const d = deployments.get(idOf(c.req.param('id')));
      const back = `/deployments/${d.id}/rollback`;
      try {
        const form = await formBody(c, rollbackForm);
        const started = await deployments.rollback(actorOf(c.get('session')), {
          id: d.id,
          mode: form.mode,
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
