import type { AppOverview, NodeTask, ServiceStatus } from '../../src/app/index.js';
import { may, type Session } from '../auth/sessions.js';
import { formatBytes, shortDigest, shortSha } from '../lib/format.js';
import { CsrfField, Image, Notice, StatusBadge, TableWrap, Time } from './bits.js';
import { RestartForm } from './appState.js';
import { deploymentTitle } from './deployment.js';

export function OverviewView({ o, session }: { o: AppOverview; session: Session }) {
  return (
    <div data-refresh={o.operation ? String(REFRESH_SECONDS) : undefined}>
      <Operation o={o} />
      <section aria-labelledby="current-title">
        <h2 id="current-title">Current version</h2>
        {o.current ? (
          <p>
            <strong class="version">{o.versionLabel}</strong> (commit <code>{shortSha(o.current.commit)}</code>)
            {o.subject && <>: {o.subject}</>}
            <br />
            {o.current.kind === 'rollback' ? `Rolled back (${o.current.ref})` : 'Deployed'}{' '}
            <Time iso={o.current.finishedAt} /> by {o.current.actor}:{' '}
            <a href={`/deployments/${o.current.id}`}>#{o.current.id}</a>.
            {o.status && !o.status.app.currentRuns && (
              <>
                {' '}
                <strong>It does not run now</strong>: {o.status.app.problems.join('; ')}.
              </>
            )}
          </p>
        ) : (
          <p>
            Nothing deployed by switchyard yet: what runs was started by hand. Pick a version on the{' '}
            <a href="/versions">Versions</a> page.
          </p>
        )}
        {o.current?.images && !o.operation && may(session, 'deploy') && (
          <div class="actions">
            <RestartForm session={session} />
            <span class="muted">
              The same commit and image digests: a backup first, then recreated and health-checked.
            </span>
          </div>
        )}
        {o.status?.drift.map((line) => (
          <Notice tone="warn" title="Warning: drift">
            <p>
              {line}. Something other than switchyard changed what runs; deploy again to put the pinned version back.
            </p>
          </Notice>
        ))}
        {o.statusError && (
          <Notice tone="danger" title="Could not read what runs" role="alert">
            <p>{o.statusError}</p>
          </Notice>
        )}
        {o.status && <Services services={o.status.services} />}
        {o.status?.nodes && <Nodes tasks={o.status.nodes} />}
        {o.unmanaged.length > 0 && <OtherServices containers={o.unmanaged} />}
        {o.appUrl && (
          <p>
            The app: <a href={o.appUrl}>{o.appUrl}</a>
          </p>
        )}
      </section>
      <section aria-labelledby="backup-title">
        <h2 id="backup-title">Backups</h2>
        <Backup o={o} session={session} />
      </section>
    </div>
  );
}

/** While an operation runs, the Overview reloads itself this often (web/assets/app.js). */
const REFRESH_SECONDS = 5;

/** The database and other services of the compose project that switchyard does not pin. */
function OtherServices({ containers }: { containers: AppOverview['unmanaged'] }) {
  return (
    <TableWrap label="Other services">
      <table class="stack" id="other-services">
        <caption>Other services of the project (not pinned by switchyard: the database, caches…)</caption>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Container</th>
            <th scope="col">State</th>
            <th scope="col">Health</th>
          </tr>
        </thead>
        <tbody>
          {containers.map((c) => (
            <tr>
              <th scope="row" data-label="Service">
                {c.service}
              </th>
              <td data-label="Container">{c.name}</td>
              <td data-label="State">
                <StatusBadge
                  status={c.state === 'running' ? 'up' : 'stopped'}
                  label={c.state === 'running' ? undefined : c.state}
                />
              </td>
              <td data-label="Health">
                <StatusBadge status={c.health} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function Operation({ o }: { o: AppOverview }) {
  const op = o.operation;
  return (
    <>
      {o.recovered.map((d) => (
        <Notice tone="warn" title={`Recovered after a crash: #${d.id} ${d.kind} ${d.ref ?? ''}`} role="status">
          <p>
            <StatusBadge status={d.status} /> <Time iso={d.finishedAt} />: {d.error}{' '}
            <a href={`/deployments/${d.id}`}>Open #{d.id}</a>
          </p>
        </Notice>
      ))}
      {op?.state === 'running' && (
        <Notice tone="info" title="An operation is running" role="status">
          <p>
            {op.operation}, since <Time iso={op.acquiredAt} />.{' '}
            {o.running && (
              <a href={`/deployments/${o.running.id}`}>
                Follow #{o.running.id} {deploymentTitle(o.running)}
              </a>
            )}
          </p>
        </Notice>
      )}
    </>
  );
}

function Services({ services }: { services: ServiceStatus[] }) {
  if (services.length === 0) return <p>No managed services in the config.</p>;
  return (
    <TableWrap label="Managed services">
      <table class="stack">
        <caption>Managed services</caption>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Container</th>
            <th scope="col">State</th>
            <th scope="col">Health</th>
            <th scope="col">Image</th>
          </tr>
        </thead>
        <tbody>
          {services.flatMap((s) =>
            (s.containers.length ? s.containers : [null]).map((c) => (
              <tr>
                <th scope="row" data-label="Service">
                  {s.name}
                  {s.drift && <StatusBadge status="failed" label="drift" />}
                </th>
                <td data-label="Container">{c?.name ?? 'no container'}</td>
                <td data-label="State">
                  {c ? <StatusBadge status={c.state === 'running' ? 'up' : 'stopped'} /> : '—'}
                </td>
                <td data-label="Health">{c ? <StatusBadge status={c.health} /> : '—'}</td>
                <td data-label="Image">
                  {c ? <Image ref_={c.image} /> : '—'}
                  {s.pinned && c && c.image !== s.pinned && (
                    <>
                      <br />
                      pinned: <Image ref_={s.pinned} />
                    </>
                  )}
                </td>
              </tr>
            )),
          )}
        </tbody>
      </table>
    </TableWrap>
  );
}

/** Under Swarm: each managed service's tasks that should run, on every node, and whether each runs the pin. */
function Nodes({ tasks }: { tasks: NodeTask[] }) {
  if (tasks.length === 0) return <p id="swarm-nodes">No task of a managed service should run on any node.</p>;
  return (
    <TableWrap label="Tasks by node">
      <table class="stack" id="swarm-nodes">
        <caption>Tasks by node (Swarm)</caption>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">Service</th>
            <th scope="col">State</th>
            <th scope="col">Digest</th>
            <th scope="col">Pinned</th>
          </tr>
        </thead>
        <tbody>
          {tasks.map((t) => (
            <tr>
              <th scope="row" data-label="Node">
                {t.node}
              </th>
              <td data-label="Service">{t.service}</td>
              <td data-label="State">
                <StatusBadge status={t.state === 'running' ? 'up' : t.state} label={t.state} />
              </td>
              <td data-label="Digest">
                <code title={t.digest}>{shortDigest(t.digest)}</code>
              </td>
              <td data-label="Pinned">
                {t.pinned === null ? '—' : t.pinned ? 'yes' : <StatusBadge status="failed" label="no" />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function Backup({ o, session }: { o: AppOverview; session: Session }) {
  const b = o.newestBackup;
  const { stale, allowedHours } = o.backupAge;
  return (
    <>
      {b ? (
        <p>
          Newest backup: <a href={`/backups/${b.id}`}>#{b.id}</a> <code>{b.fileName}</code>, {formatBytes(b.sizeBytes)},
          taken <Time iso={b.createdAt} />.
        </p>
      ) : (
        <p>There is no backup yet.</p>
      )}
      {stale && (
        <Notice
          tone="warn"
          title={b ? `Warning: the newest backup is older than ${allowedHours} hours` : 'Warning: no backup'}
        >
          <p>
            {o.backupAge.basis === 'schedule'
              ? `backups.schedule allows ${allowedHours} hours between backups.`
              : `The runbook's drill needs a backup younger than ${allowedHours} hours.`}
          </p>
          {may(session, 'back up') && (
            <form method="post" action="/backups" data-busy="Taking a verified backup…">
              <CsrfField session={session} />
              <button type="submit">Take a backup now</button>
            </form>
          )}
        </Notice>
      )}
      {o.offsiteConfigured && (
        <p id="offsite-age">
          {o.newestOffsite ? (
            <>
              Newest off-site copy: <a href={`/backups/${o.newestOffsite.id}`}>#{o.newestOffsite.id}</a>,{' '}
              {o.offsiteAgeHours!.toFixed(1)} hours old.
            </>
          ) : (
            'No off-site copy yet.'
          )}
        </p>
      )}
      <p>
        Free space in <code>{o.backupsDir}</code>: {o.freeBytes === null ? 'unknown' : formatBytes(o.freeBytes)}.
      </p>
    </>
  );
}
