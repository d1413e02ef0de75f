import type { Session } from '../auth/sessions.js';
import { formatBytes, shortSha } from '../lib/format.js';
import type { PageChrome } from '../../src/app/index.js';
import type { DeployPlan, TagNames } from '../../src/app/index.js';
import { CsrfField, Notice } from './bits.js';
import { VersionRef } from './deployment.js';
import { ChangesView } from './changes.js';
import { Checks, FailedBefore } from './versions.js';

const RESTORE_POLICY: Record<DeployPlan['restorePolicy'], string> = {
  auto: 'only if the new version changed the schema (its migrations ran); otherwise the data is left as it is',
  always: 'always (config deploy.restoreDatabase: always)',
  never: 'never (config deploy.restoreDatabase: never): only images and code go back',
};

/** What a deploy will do, in the order it does it, and the confirmation. */
export function DeployPlanView(props: {
  plan: DeployPlan;
  session: Session;
  busy: PageChrome['busy'];
  tags: TagNames;
}) {
  const { plan, session, busy } = props;
  const v = plan.version;
  const ci = v?.ci.state ?? 'unknown';
  const deployable = plan.blockers.length === 0; // src/deploy decides; older than the list: the pull itself will tell
  const label = plan.tag ?? plan.ref;
  const restarted = plan.images.filter((i) => i.changes !== false).map((i) => i.service);
  return (
    <>
      <p>
        <strong>{label}</strong> is commit <code title={plan.sha}>{shortSha(plan.sha)}</code>
        {v?.commit && <>: {v.commit.subject}</>}. Now running:{' '}
        <VersionRef sha={plan.current.commit} tags={props.tags} />
        {plan.current.error && (
          <>
            {' '}
            (could not read what runs now:{' '}
            {busy
              ? 'another operation is changing the containers; reload this page when it ends'
              : 'Docker did not answer as expected; the daemon log has its error'}
            )
          </>
        )}
        .
      </p>
      {v && <Checks v={v} />}
      <ChangesView changes={plan.changes} notes={v?.notes ?? null} />
      <h2>What the deploy will do</h2>
      <ol class="plan">
        <li>
          <strong>Pull images</strong> and pin them by digest:
          <ul>
            {plan.images.map((i) => (
              <li>
                {i.service}: <code class="image">{i.reference}</code>{' '}
                {i.mustPull ? '(will be downloaded)' : '(already on this host)'}
              </li>
            ))}
            {plan.images.length === 0 && <li>no managed services: nothing to pull</li>}
          </ul>
        </li>
        <li>
          <strong>Take a verified backup</strong> of database <code>{plan.backup.database}</code> into{' '}
          <code>{plan.backup.dir}</code>
          {plan.backup.estimateBytes !== null && (
            <> (about {formatBytes(plan.backup.estimateBytes)}, like the last one)</>
          )}
          {plan.backup.freeBytes !== null && <>; {formatBytes(plan.backup.freeBytes)} free there</>}.
          {plan.backup.allowWithout &&
            ' If the backup fails, the deploy goes on without one (deploy.allowWithoutBackup).'}
        </li>
        <li>
          <strong>Check out</strong> commit <code>{shortSha(plan.sha)}</code> in the compose repo and{' '}
          <strong>restart</strong> with compose:{' '}
          {restarted.length ? restarted.join(', ') : 'no managed service changes image'}
          {plan.images.some((i) => i.changes === false) && (
            <>
              {' '}
              (unchanged:{' '}
              {plan.images
                .filter((i) => i.changes === false)
                .map((i) => i.service)
                .join(', ')}
              )
            </>
          )}
          . Only the managed services are switched; the other services are started if they are not running, never
          recreated.
          {plan.switches === null ? (
            ' How each is switched is not known (docker compose cannot read the files).'
          ) : (
            <ul class="switches">
              {plan.switches.map((s) => (
                <li>
                  {s.service}: <strong>{s.strategy}</strong>
                  {s.reason
                    ? ` (${s.reason}): stopped, then started again`
                    : ': the new container starts beside the old one, which is drained once it is healthy'}
                </li>
              ))}
            </ul>
          )}
        </li>
        <li>
          <strong>Wait for health</strong>: up to {plan.timeouts.composeSeconds} s for compose, then{' '}
          {plan.timeouts.healthSeconds} s for the health checks.
        </li>
        <li>
          <strong>If anything fails</strong> after the checkout, switchyard rolls back automatically to what runs now.
          It restores the database from the pre-deploy backup {RESTORE_POLICY[plan.restorePolicy]}.
        </li>
      </ol>
      {ci === 'failed' && (
        <Notice tone="danger" title="Warning: CI checks FAILED for this version" role="alert">
          <p>At least one check failed. Deploy it only if you know why the check failed and that it does not matter.</p>
        </Notice>
      )}
      {(ci === 'unknown' || ci === 'pending') && (
        <Notice
          tone="warn"
          title={ci === 'pending' ? 'Warning: CI checks have not finished' : 'Warning: no CI checks for this version'}
        >
          <p>Nothing has confirmed that this version passes its tests. Prefer a version whose checks passed.</p>
        </Notice>
      )}
      {plan.failedBefore && (
        <Notice tone="danger" title={`Warning: ${label} FAILED when it was last deployed`} role="alert">
          <FailedBefore failed={plan.failedBefore} />
          <p>Deploy it again only if what made it fail has changed since (the failed deployment's page says why).</p>
        </Notice>
      )}
      {v?.current && (
        <Notice tone="info" title="Note: this version is deployed now">
          <p>Deploying it again re-pulls its images and recreates the services.</p>
        </Notice>
      )}
      {busy ? (
        <Notice tone="warn" title="Cannot deploy now: another operation is running">
          <p>
            {busy.operation} runs.{' '}
            {busy.deploymentId !== null ? (
              <a href={`/deployments/${busy.deploymentId}`}>Follow #{busy.deploymentId}</a>
            ) : (
              'It ends by itself.'
            )}{' '}
            Then reload this page to review the deploy with what runs then.
          </p>
        </Notice>
      ) : deployable ? (
        <form method="post" action="/deploy" data-busy="Starting the deploy…">
          <CsrfField session={session} />
          <input type="hidden" name="ref" value={plan.ref} />
          {ci === 'failed' && (
            <div class="choice">
              <input type="checkbox" id="accept-failed" name="acceptFailedChecks" value="yes" required />
              <label for="accept-failed">I know the checks failed and want to deploy {label} anyway.</label>
            </div>
          )}
          <p class="actions">
            <button type="submit" class={ci === 'passed' && !plan.failedBefore ? 'primary' : 'danger'}>
              Deploy {label}
              {plan.failedBefore && ' again (it failed before)'}
            </button>{' '}
            <a href="/versions">Cancel</a>
          </p>
        </form>
      ) : (
        <Notice tone="danger" title="Cannot deploy" role="alert">
          {plan.blockers.map((b) => (
            <p>{b.reason}</p>
          ))}
        </Notice>
      )}
    </>
  );
}
