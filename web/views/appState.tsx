import type { AppAction, AppState } from '../../src/app/index.js';
import { may, type Session } from '../auth/sessions.js';
import { CsrfField } from './bits.js';

/**
 * On every page while the app is not healthy: what is wrong, each problem on its own line, and what fits (restart the
 * current version, roll back, open the failure). Not while an operation runs: its services are in flux, and the busy
 * banner says so.
 */
export function AppStateBanner({ app, session }: { app: AppState; session: Session }) {
  if (app.state === 'healthy' || app.busy) return null;
  return (
    <div class={`notice notice-${app.state === 'degraded' ? 'warn' : 'danger'}`} role="alert" id="app-state">
      <p class="notice-title">
        <strong>{app.headline.charAt(0).toUpperCase() + app.headline.slice(1)}</strong>
      </p>
      <ul>
        {app.problems.map((p) => (
          <li>{p}</li>
        ))}
      </ul>
      {app.actions.length > 0 && (
        <div class="actions">
          {app.actions.map((a) => (
            <Action action={a} session={session} />
          ))}
        </div>
      )}
    </div>
  );
}

function Action({ action, session }: { action: AppAction; session: Session }) {
  if (action.kind === 'open') return <a href={`/deployments/${action.deploymentId}`}>Open #{action.deploymentId}</a>;
  if (!may(session, 'deploy')) return null;
  if (action.kind === 'rollback')
    return <a href={`/deployments/${action.deploymentId}/rollback`}>Roll back to before #{action.deploymentId}</a>;
  return <RestartForm session={session} />;
}

/** A deploy of the recorded pair (same commit, same pinned digests), with its backup and health check. */
export function RestartForm({ session }: { session: Session }) {
  return (
    <form method="post" action="/deploy" data-busy="Restarting the current version…">
      <CsrfField session={session} />
      <input type="hidden" name="current" value="yes" />
      <button type="submit" class="primary">
        Restart the current version
      </button>
    </form>
  );
}
