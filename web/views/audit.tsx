import type { AuditEntry, AuditFilter } from '../../src/store/index.js';
import { TableWrap, Time } from './bits.js';

export interface AuditPage {
  entries: AuditEntry[];
  filter: AuditFilter;
  actors: string[];
  actions: string[];
  limit: number;
}

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
        <button type="submit">Filter</button> <a href="/audit">Clear</a>
      </form>
      {page.entries.length === 0 ? (
        <p>No audit entries match.</p>
      ) : (
        <TableWrap label="Audit log">
          <table class="stack">
            <caption>
              Audit log, newest first{page.entries.length === page.limit ? ` (the last ${page.limit})` : ''}
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
                  <td data-label="When">
                    <Time iso={e.at} />
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
    </>
  );
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
