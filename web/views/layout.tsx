import type { Child } from 'hono/jsx';
import { type AppState, mayAct, type PageChrome } from '../../src/app/index.js';
import { requiredRole } from '../../src/server/roles.js';
import { readerZone } from '../../src/util/readerZone.js';
import { assetUrl } from '../assets.js';
import type { Flash, Session } from '../auth/sessions.js';
import { AppStateBanner } from './appState.js';
import { CsrfField, Time } from './bits.js';

export type Section = 'overview' | 'versions' | 'history' | 'backups' | 'logs' | 'audit' | 'users';

const NAV: Array<{ section: Section; href: string; label: string }> = [
  { section: 'overview', href: '/', label: 'Overview' },
  { section: 'versions', href: '/versions', label: 'Versions' },
  { section: 'history', href: '/history', label: 'History' },
  { section: 'backups', href: '/backups', label: 'Backups' },
  { section: 'logs', href: '/logs', label: 'Logs' },
  { section: 'audit', href: '/audit', label: 'Audit' },
  { section: 'users', href: '/users', label: 'Users' },
];

/** A link the role may not follow is not shown; ROUTE_ROLES, which the guard enforces, decides. */
function mayFollow(role: Session['identity']['role'], href: string): boolean {
  const need = requiredRole('GET', href);
  return need === 'public' || (need !== undefined && mayAct(role, need));
}

export interface LayoutProps {
  title: string;
  section?: Section;
  session?: Session;
  flash?: Flash;
  chrome?: PageChrome;
  /** The app's state; its banner shows when it is not healthy and no operation runs. */
  app?: AppState;
  children?: Child;
}

export function Layout(props: LayoutProps) {
  const { session } = props;
  return (
    <html lang="en" data-tz={readerZone()}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · switchyard`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={assetUrl('app.css')} />
        <script src={assetUrl('app.js')} defer></script>
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <p class="brand">
            <a href="/">switchyard</a>
          </p>
          {session && (
            <nav aria-label="Main">
              <ul>
                {NAV.filter((item) => mayFollow(session.identity.role, item.href)).map((item) => (
                  <li>
                    <a href={item.href} aria-current={props.section === item.section ? 'page' : undefined}>
                      {item.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          )}
          {session && props.chrome?.appUrl && (
            <a class="app-link" href={props.chrome.appUrl} rel="noopener">
              Open the app<span class="sr-only"> ({props.chrome.appUrl})</span>
            </a>
          )}
          {session && (
            <form method="post" action="/logout" class="logout">
              <CsrfField session={session} />
              <span class="who">
                Logged in as <strong>{session.identity.name}</strong> ({session.identity.role})
              </span>{' '}
              <button type="submit">Log out</button>
            </form>
          )}
        </header>
        <main id="main" tabindex={-1}>
          <h1>{props.title}</h1>
          {props.chrome?.busy && <Busy busy={props.chrome.busy} />}
          {session && props.app && <AppStateBanner app={props.app} session={session} />}
          {props.flash && (
            <p class={`flash flash-${props.flash.kind}`} role={props.flash.kind === 'error' ? 'alert' : 'status'}>
              <strong>{props.flash.kind === 'error' ? 'Error: ' : 'Done: '}</strong>
              {props.flash.text}
            </p>
          )}
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** Shown on every page while an operation runs, so nobody learns it only from a refused click. */
function Busy({ busy }: { busy: NonNullable<PageChrome['busy']> }) {
  return (
    <p class="busy-banner" role="status" id="busy">
      <strong>Busy: </strong>
      {busy.operation} is running since <Time iso={busy.since} />. Deploy, rollback, backup and drill wait until it
      ends.{' '}
      {busy.deploymentId !== null && <a href={`/deployments/${busy.deploymentId}`}>Follow #{busy.deploymentId}</a>}
    </p>
  );
}
