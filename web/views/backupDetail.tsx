import { restoreTime, type BackupListing, type DrillRecord, type DrillSummary } from '../../src/app/index.js';
import { may, type Session } from '../auth/sessions.js';
import { formatBytes } from '../lib/format.js';
import { OffsiteCell } from './backups.js';
import { CsrfField, Notice, StatusBadge, TableWrap, Time } from './bits.js';

/** One backup: what it holds, its checksum, and the drill (run one, read its report). */
export function BackupDetail({
  b,
  report,
  session,
}: {
  b: BackupListing;
  report: DrillSummary | null;
  session: Session;
}) {
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
      {b.status === 'ok' && may(session, 'read backup data') && (
        <p class="actions">
          <a class="button" href={`/backups/${b.id}/download`} download>
            Download ({formatBytes(b.sizeBytes)})
          </a>
        </p>
      )}
      <section aria-labelledby="drill-title">
        <h2 id="drill-title">Restore drill</h2>
        <p>
          The drill restores this backup into a scratch database, compares row counts and schema with what was recorded
          when it was taken, and drops the scratch database. The live database is not touched.
        </p>
        {b.status === 'ok' && may(session, 'back up') && (
          <form method="post" action={`/backups/${b.id}/drill`} data-busy="Running the drill…">
            <CsrfField session={session} />
            <button type="submit">Run a drill on this backup</button>
          </form>
        )}
        {b.lastDrill && report && <DrillReportView b={b} drill={b.lastDrill} report={report} />}
      </section>
      {b.rowCounts && (
        <TableWrap label="Row counts">
          <table class="stack">
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
                  <th scope="row" data-label="Table">
                    {table}
                  </th>
                  <td class="num" data-label="Rows">
                    {rows}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </>
  );
}

/** The drill as a page: the outcome, the runbook's fields, expected against restored rows per table, then the Markdown. */
function DrillReportView({ b, drill, report }: { b: BackupListing; drill: DrillRecord; report: DrillSummary }) {
  const expected = b.rowCounts ?? {};
  const restored = drill.restoredRowCounts;
  const tables = [...new Set([...Object.keys(expected), ...Object.keys(restored ?? {})])].sort();
  return (
    <article id="drill" aria-labelledby="drill-result-title">
      <Notice
        tone={drill.verified ? 'ok' : 'danger'}
        title={drill.verified ? 'Last drill: data verified' : 'Last drill: NOT verified'}
      >
        <h3 id="drill-result-title" class="sr-only">
          DR drill results
        </h3>
        <dl class="facts">
          <dt>Date</dt>
          <dd>
            <Time iso={drill.startedAt} />
          </dd>
          <dt>Backup used</dt>
          <dd>
            <code>{b.fileName}</code>
          </dd>
          <dt>Backup age</dt>
          <dd>{report.backupAgeHours.toFixed(1)} hours</dd>
          <dt>Restore time</dt>
          <dd id="restore-time">{drill.restoreMs === null ? 'not restored' : restoreTime(drill.restoreMs)}</dd>
          <dt>Data verified</dt>
          <dd>
            <StatusBadge status={drill.verified ? 'verified' : 'not verified'} label={drill.verified ? 'yes' : 'no'} />
          </dd>
          <dt>Issues found</dt>
          <dd>
            {drill.issues.length === 0 ? (
              'none'
            ) : (
              <ul>
                {drill.issues.map((i) => (
                  <li>{i}</li>
                ))}
              </ul>
            )}
          </dd>
          <dt>Conducted by</dt>
          <dd>{drill.actor}</dd>
        </dl>
      </Notice>
      {tables.length > 0 && (
        <TableWrap label="Rows per table: expected and restored">
          <table class="stack" id="drill-tables">
            <caption>
              Rows per table: expected (recorded with the backup) and restored (counted in the scratch copy)
            </caption>
            <thead>
              <tr>
                <th scope="col">Table</th>
                <th scope="col">Expected</th>
                <th scope="col">Restored</th>
                <th scope="col">Match</th>
              </tr>
            </thead>
            <tbody>
              {tables.map((t) => {
                const want = expected[t];
                const got = restored?.[t];
                const match = restored === null ? null : want === got;
                return (
                  <tr>
                    <th scope="row" data-label="Table">
                      {t}
                    </th>
                    <td class="num" data-label="Expected">
                      {want ?? 'no table'}
                    </td>
                    <td class="num" data-label="Restored">
                      {restored === null ? 'not recorded' : (got ?? 'no table')}
                    </td>
                    <td data-label="Match">
                      {match === null ? (
                        '—'
                      ) : (
                        <StatusBadge status={match ? 'ok' : 'failed'} label={match ? 'same' : 'differs'} />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      )}
      <details>
        <summary>The report as Markdown, for the runbook</summary>
        <pre class="report" id="drill-report" tabindex={0}>
          {report.markdown}
        </pre>
      </details>
    </article>
  );
}
