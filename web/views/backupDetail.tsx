import type { BackupListing } from '../../src/backup/index.js';
import type { Session } from '../auth/sessions.js';
import { formatBytes } from '../lib/format.js';
import { OffsiteCell } from './backups.js';
import { CsrfField, Notice, StatusBadge, TableWrap, Time } from './bits.js';

/** One backup: what it holds, its checksum, and the drill (run one, read its report). */
export function BackupDetail({ b, report, session }: { b: BackupListing; report: string | null; session: Session }) {
  return (
    <>
      <dl class="facts">
        <dt>File</dt>
        <dd>
          <code>{b.fileName}</code>
        </dd>
        <dt>Status</dt>
        <dd>
          <StatusBadge status={b.status} /> {b.error}
        </dd>
        <dt>Taken</dt>
        <dd>
          <Time iso={b.createdAt} /> by {b.actor}
        </dd>
        <dt>Reason</dt>
        <dd>
          {b.reason}
          {b.note && `: ${b.note}`}
        </dd>
        <dt>Size</dt>
        <dd>{formatBytes(b.sizeBytes)}</dd>
        <dt>sha256</dt>
        <dd>
          <code class="hash" id="sha256">
            {b.sha256 ?? '—'}
          </code>
        </dd>
        <dt>PostgreSQL</dt>
        <dd>{b.serverVersion ?? '—'}</dd>
        <dt>Deployment</dt>
        <dd>{b.deploymentId ? <a href={`/deployments/${b.deploymentId}`}>#{b.deploymentId}</a> : '—'}</dd>
        <dt>Off-site</dt>
        <dd>
          <OffsiteCell offsite={b.offsite} />
          {b.offsite?.key && (
            <>
              {' '}
              <code>{b.offsite.key}</code>
            </>
          )}
        </dd>
      </dl>
      {b.status === 'ok' && (
        <p class="actions">
          <a class="button" href={`/backups/${b.id}/download`} download>
            Download ({formatBytes(b.sizeBytes)})
          </a>
        </p>
      )}
      <section aria-labelledby="drill-title">
        <h2 id="drill-title">Restore drill</h2>
        <p>
          The drill restores this backup into a scratch database, compares row counts and schema with what was recorded when it was taken, and drops the
          scratch database. The live database is not touched.
        </p>
        {b.status === 'ok' && (
          <form method="post" action={`/backups/${b.id}/drill`} data-busy="Running the drill…">
            <CsrfField session={session} />
            <button type="submit">Run a drill on this backup</button>
          </form>
        )}
        {b.lastDrill && (
          <Notice tone={b.lastDrill.verified ? 'ok' : 'danger'} title={b.lastDrill.verified ? 'Last drill: data verified' : 'Last drill: NOT verified'}>
            {report && (
              <pre class="report" id="drill-report" tabindex={0}>
                {report}
              </pre>
            )}
          </Notice>
        )}
      </section>
      {b.rowCounts && (
        <TableWrap label="Row counts">
          <table>
            <caption>Rows per table when the backup was taken</caption>
            <thead>
              <tr>
                <th scope="col">Table</th>
                <th scope="col">Rows</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(b.rowCounts).map(([table, rows]) => (
                <tr>
                  <th scope="row">{table}</th>
                  <td class="num">{rows}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </>
  );
}
