import type { BackupListing } from '../../src/app/index.js';
import { may, type Session } from '../auth/sessions.js';
import { formatBytes, formatDuration } from '../lib/format.js';
import { CsrfField, StatusBadge, TableWrap, Time } from './bits.js';

/** Every backup in the catalog, newest first, and taking one now. */
export function BackupsView({ backups, session, note }: { backups: BackupListing[]; session: Session; note?: string }) {
  return (
    <>
      {may(session, 'back up') && (
        <form method="post" action="/backups" class="inline-form" data-busy="Taking a verified backup…">
          <CsrfField session={session} />
          <label for="note">Note (optional)</label>
          <input id="note" name="note" type="text" maxlength={500} value={note} />
          <button type="submit" class="primary">
            Take a backup now
          </button>
        </form>
      )}
      {backups.length === 0 ? (
        <p>No backups yet.</p>
      ) : (
        <TableWrap label="Backups">
          <table class="stack">
            <caption>Backups, newest first</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Taken</th>
                <th scope="col">Size</th>
                <th scope="col">Reason</th>
                <th scope="col">Status</th>
                <th scope="col">Deployment</th>
                <th scope="col">Last drill</th>
                <th scope="col">Off-site</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {backups.map((b) => (
                <tr id={`backup-${b.id}`}>
                  <td data-label="#">
                    <a href={`/backups/${b.id}`}>#{b.id}</a>
                  </td>
                  <td data-label="Taken">
                    <Time iso={b.createdAt} />
                  </td>
                  <td data-label="Size" class="num">
                    {formatBytes(b.sizeBytes)}
                  </td>
                  <td data-label="Reason">
                    {b.reason}
                    {b.note && <span class="muted">: {b.note}</span>}
                  </td>
                  <td data-label="Status">
                    <StatusBadge status={b.status} />
                    {b.error && <span class="muted"> {b.error}</span>}
                  </td>
                  <td data-label="Deployment">
                    {b.deploymentId ? <a href={`/deployments/${b.deploymentId}`}>#{b.deploymentId}</a> : '—'}
                  </td>
                  <td data-label="Last drill">
                    {b.lastDrill ? (
                      <>
                        <StatusBadge status={b.lastDrill.verified ? 'verified' : 'not verified'} />{' '}
                        <Time iso={b.lastDrill.startedAt} age={false} />
                        {b.lastDrill.restoreMs !== null && (
                          <span class="muted">, restore {formatDuration(b.lastDrill.restoreMs)}</span>
                        )}
                      </>
                    ) : (
                      'never'
                    )}
                  </td>
                  <td data-label="Off-site">
                    <OffsiteCell offsite={b.offsite} />
                  </td>
                  <td data-label="Actions">
                    {b.status === 'ok' && may(session, 'read backup data') && (
                      <a href={`/backups/${b.id}/download`} download>
                        Download<span class="sr-only"> backup #{b.id}</span>
                      </a>
                    )}{' '}
                    <a href={`/backups/${b.id}`}>
                      Details<span class="sr-only"> of backup #{b.id}</span>
                    </a>
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

/** The backup's off-site copy: uploaded (when), waiting, or failed with the error and the next try. */
export function OffsiteCell({ offsite }: { offsite: BackupListing['offsite'] }) {
  if (!offsite) return <>—</>;
  if (offsite.state === 'uploaded') {
    return (
      <>
        <StatusBadge status="uploaded" /> <Time iso={offsite.uploadedAt!} age={false} />
      </>
    );
  }
  if (offsite.state === 'failed') {
    return (
      <>
        <StatusBadge status="failed" />
        <span class="muted">
          {' '}
          {offsite.error} (attempt {offsite.attempts}, next <Time iso={offsite.nextAttemptAt} age={false} />)
        </span>
      </>
    );
  }
  return <StatusBadge status={offsite.state} />;
}
