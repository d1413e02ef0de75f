import { Hono } from 'hono';
import { z } from 'zod';
import { inputError } from '../../src/errors.js';
import { may } from '../auth/sessions.js';
import { actorOf, type UiDeps } from '../deps.js';
import type { UiEnv } from '../env.js';
import { formBody } from '../lib/form.js';
import { redirectWithError } from '../lib/respond.js';
import { DeployPlanView } from '../views/deployPlan.js';
import { renderPage } from '../views/render.js';
import { VersionsView } from '../views/versions.js';

const refQuery = z.string().min(1, 'choose a version').max(200);
// current=yes restarts the current version (the banner's and the Overview's button): the recorded pair, no ref.
const deployForm = z
  .object({
    ref: refQuery.optional(),
    current: z.literal('yes').optional(),
    acceptFailedChecks: z.literal('yes').optional(),
  })
  .refine((f) => f.ref !== undefined || f.current !== undefined, { message: 'choose a version', path: ['ref'] });

/** Picking a version, seeing what its deploy will do, and starting it. */
export function versionRoutes({ app, output }: UiDeps) {
  return new Hono<UiEnv>()
    .get('/versions', async (c) => {
      const list = await app.versions.list();
      return renderPage(
        c,
        { title: 'Versions', section: 'versions', session: c.get('session') },
        <VersionsView
          list={list}
          canDeploy={may(c.get('session'), 'deploy')}
          app={await c.get('chrome').appState()}
          session={c.get('session')}
        />,
      );
    })
    .get('/deploy', async (c) => {
      const ref = refQuery.safeParse(c.req.query('ref') ?? '');
      if (!ref.success) throw inputError('choose a version to deploy on the Versions page');
      const plan = await app.deployments.deployPlan(ref.data, { versions: true });
      const session = c.get('session');
      const tags = await app.deployments.tagNames();
      const view = <DeployPlanView plan={plan} session={session} busy={c.get('chrome').busy} tags={tags} />;
      return renderPage(c, { title: `Deploy ${plan.tag ?? plan.ref}?`, section: 'versions', session }, view);
    })
    .post('/deploy', async (c) => {
      let back = '/versions';
      try {
        const form = await formBody(c, deployForm);
        back = form.ref ? `/deploy?ref=${encodeURIComponent(form.ref)}` : '/';
        const started = await app.deployments.deploy(actorOf(c.get('session')), {
          ref: form.ref,
          current: form.ref === undefined,
        });
        output.watch(started.id);
        void started.done; // runs on; the progress page follows it
        return c.redirect(`/deployments/${started.id}`, 303);
      } catch (e) {
        return redirectWithError(c, e, back);
      }
    });
}
