import type { AppState, FailedDeployment, Version, VersionList } from '../../src/app/index.js';
import type { Session } from '../auth/sessions.js';
import { RestartForm } from './appState.js';
import { CommitTypeBadge, StatusBadge, Time } from './bits.js';

/** Releases, tags and recent commits, newest first, with what decides whether to deploy one. */
export function VersionsView(props: { list: VersionList; canDeploy: boolean; app: AppState; session: Session }) {
  const { versions, sources } = props.list;
  return (
    <>
      <p class="muted">
        Sources: git {sources.git}; GitHub {sources.github}.
      </p>
      {versions.length === 0 && <p>No versions found in the compose repo.</p>}
      <ol class="cards">
        {versions.map((v) => (
          <VersionCard v={v} canDeploy={props.canDeploy} app={props.app} session={props.session} />
        ))}
      </ol>
    </>
  );
}

function VersionCard(props: { v: Version; canDeploy: boolean; app: AppState; session: Session }) {
  const { v, canDeploy } = props;
  // Recorded as deployed is not running: the app's state (appState.ts) decides whether it runs.
  const runs = v.current && props.app.currentRuns;
  const titleId = `version-${v.sha7 || v.ref}`;
  return (
    <li>
      <article aria-labelledby={titleId} class={v.current ? 'card current' : 'card'}>
        <h2 id={titleId}>
          {v.ref} <span class="kind">{v.kind}</span>
          {v.prerelease && <span class="kind">pre-release</span>}
          {runs && <StatusBadge status="ok" label="deployed now" />}
          {v.current && !runs && <StatusBadge status="failed" label="deployed, not running" />}
        </h2>
        {v.commit ? (
          <p>
            <CommitTypeBadge type={v.commit.type} breaking={v.commit.breaking} />{' '}
            {v.commit.scope && <span class="scope">{v.commit.scope}</span>} {v.commit.subject}
            <br />
            <span class="muted">
              <code>{v.sha7}</code> by {v.commit.author}, <Time iso={v.commit.date} />
            </span>
          </p>
        ) : (
          <p class="muted">Commit not in the local repo.</p>
        )}
        <Checks v={v} />
        {v.failed && <FailedBefore failed={v.failed} />}
        <p>
          Images:{' '}
          {v.images.available ? (
            <StatusBadge status="ok" label="all in the registry" />
          ) : (
            <>
              <StatusBadge status="failed" label="missing" /> {v.images.missing.join('; ')}
            </>
          )}
        </p>
        {v.notes && (
          <details>
            <summary>Release notes{v.name ? `: ${v.name}` : ''}</summary>
            <pre class="notes">{v.notes}</pre>
          </details>
        )}
        <div class="actions">
          {runs ? (
            <span class="muted">This version runs now.</span>
          ) : v.current ? (
            <>
              <span>
                {props.app.state === 'unknown'
                  ? 'Deployed; whether it runs is unknown'
                  : 'Deployed, but it does not run now'}
                : {props.app.summary}.
              </span>
              {canDeploy && !props.app.busy && <RestartForm session={props.session} />}
            </>
          ) : !canDeploy ? null : v.deployable && v.sha ? (
            <a class={v.failed ? 'button' : 'button primary'} href={`/deploy?ref=${encodeURIComponent(v.ref)}`}>
              Review deploy<span class="sr-only"> of {v.ref}</span>
            </a>
          ) : (
            <span class="muted">Cannot be deployed: its images are not in the registry.</span>
          )}
        </div>
      </article>
    </li>
  );
}

/** A version whose last deploy failed: when, why in one line, and a link to that deployment's diagnosis. */
export function FailedBefore({ failed }: { failed: FailedDeployment }) {
  return (
    <p class="failed-before">
      <StatusBadge status="failed" label="failed before" /> Its last deploy,{' '}
      <a href={`/deployments/${failed.id}`}>deployment #{failed.id}</a>, failed <Time iso={failed.at} />:{' '}
      {failed.headline}
    </p>
  );
}

export function Checks({ v }: { v: Version }) {
  return (
    <div class="checks">
      CI: <StatusBadge status={v.ci.state} />
      {v.ci.checks.length > 0 && (
        <ul class="plain inline">
          {v.ci.checks.map((check) => (
            <li>
              {check.name} <StatusBadge status={check.state} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
