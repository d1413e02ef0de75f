import type { HistoryEntry, TagNames } from '../../src/app/index.js';
import { durationBetween } from '../lib/format.js';
import { StatusBadge, TableWrap, Time } from './bits.js';
import { deploymentTitle, FromTo } from './deployment.js';

/** Every deployment and rollback, newest first, each with a way back to the state before it. */
export function HistoryView(props: { entries: HistoryEntry[]; tags: TagNames }) {
  if (props.entries.length === 0)
    return (
      <p>
        Nothing has been deployed yet. Pick a version on the <a href="/versions">Versions</a> page.
      </p>
    );
  return (
    <TableWrap label="Deployments and rollbacks">
      <table class="stack history">
        <caption>Deployments and rollbacks, newest first</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">What</th>
            <th scope="col">Outcome</th>
            <th scope="col">Who</th>
            <th scope="col">When</th>
            <th scope="col">Commit</th>
            <th scope="col">Duration</th>
            <th scope="col">Backup</th>
            <th scope="col">Steps</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {props.entries.map(({ deployment: d, steps, canRollBack, undone }) => (
            <tr id={`deployment-${d.id}`}>
              <td data-label="#">
                <a href={`/deployments/${d.id}`}>#{d.id}</a>
              </td>
              <td data-label="What">{deploymentTitle(d, props.tags)}</td>
              <td data-label="Outcome">
                <StatusBadge status={d.status} />
              </td>
              <td data-label="Who">{d.actor}</td>
              <td data-label="When">
                <Time iso={d.createdAt} />
              </td>
              <td data-label="Commit">
                <FromTo d={d} tags={props.tags} />
              </td>
              <td data-label="Duration" class="num">
                {durationBetween(d.createdAt, d.finishedAt)}
              </td>
              <td data-label="Backup">{d.backupId ? <a href={`/backups/${d.backupId}`}>#{d.backupId}</a> : 'none'}</td>
              <td data-label="Steps">
                <details>
                  <summary>{steps.length} steps</summary>
                  <ol class="step-list">
                    {steps.map((s) => (
                      <li>
                        {s.name}: <StatusBadge status={s.status} />
                      </li>
                    ))}
                  </ol>
                </details>
              </td>
              <td data-label="Actions">
                <a href={`/deployments/${d.id}`}>Details</a>
                {canRollBack && undone && (
                  <span class="muted"> Already undone: {undone.replace(/^deployment #\d+ /, '')}.</span>
                )}
                {canRollBack && !undone && (
                  <>
                    {' '}
                    <a class="button" href={`/deployments/${d.id}/rollback`}>
                      Roll back to before this<span class="sr-only"> (deployment #{d.id})</span>
                    </a>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
