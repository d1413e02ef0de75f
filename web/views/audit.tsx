import type { AuditFilter, AuditPage } from '../../src/app/index.js';
import { TableWrap, Time } from './bits.js';

const OUTCOMES = ['ok', 'failed', 'refused'] as const;
const OUTCOME_TONE: Record<string, string> = { ok: 'ok', failed: 'bad', refused: 'warn' };

/** Who did what and how it ended, newest first, narrowed by person, action and outcome. */
export function AuditView({ page }: { page: AuditPage }) {
  const { filter } = page;
  return (
    <>
      <form method="get" action="/audit" class="inline-form" aria-label="Filter the audit log">
        <Choice id="actor" label="Person" value={filter.actor} options={page.actors} />
        <Choice id="action" label="Action" value={filter.action} options={page.actions} />
        <Choice id="outcome" label="Outcome" value={filter.outcome} options={[...OUTCOMES]} />
        <label>
          <input type="checkbox" name="logins" value="show" checked={!filter.hideLogins} /> Logins and logouts
        </label>
        <button type="submit">Filter</button> <a href="/audit">Clear</a>
      </form>
      {page.entries.length === 0 ? (
        <p>No audit entries match.</p>
      ) : (
        <TableWrap label="Audit log">
          <table class="stack">
            <caption>
              Audit log, newest first{filter.before ? `, before entry ${filter.before}` : ''}
              {filter.hideLogins ? ' (successful logins and logouts hidden)' : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Person</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Outcome</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {page.entries.map((e) => (
                <tr>
                  <td data-label="When" class="when-cell">
                    <Time iso={e.at} age={false} />
                  </td>
                  <td data-label="Person">{e.actor}</td>
                  <td data-label="Action">
                    <code>{e.action}</code>
                  </td>
                  <td data-label="Target">{e.target ?? '—'}</td>
                  <td data-label="Outcome">
                    <span class={`badge tone-${OUTCOME_TONE[e.outcome] ?? 'muted'}`}>{e.outcome}</span>
                  </td>
                  <td data-label="Detail">{e.detail ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <nav aria-label="Audit pages" class="pager">
        {filter.before !== undefined && <a href={pageHref(filter, undefined)}>Newest</a>}{' '}
        {page.older !== null && (
          <a href={pageHref(filter, page.older)} rel="next">
            Older entries
          </a>
        )}
      </nav>
    </>
  );
}

/** The same filter, another page. */
function pageHref(filter: AuditFilter, before: number | undefined): string {
  const query = new URLSearchParams();
  for (const key of ['actor', 'action', 'outcome'] as const) if (filter[key]) query.set(key, filter[key]);
  if (!filter.hideLogins) query.set('logins', 'show');
  if (before !== undefined) query.set('before', String(before));
  const text = query.toString();
  return text ? `/audit?${text}` : '/audit';
}

function Choice(props: { id: string; label: string; value: string | undefined; options: string[] }) {
  return (
    <>
      <label for={props.id}>{props.label}</label>
      <select id={props.id} name={props.id}>
        <option value="">any</option>
        {props.options.map((o) => (
          <option value={o} selected={o === props.value}>
            {o}
          </option>
        ))}
      </select>
    </>
  );
}
