import type { Session } from '../auth/sessions.js';
import { CsrfField, Image, Notice, TableWrap, Time } from './bits.js';
import { deploymentTitle, VersionRef } from './deployment.js';
import {
  type CarryOverMode,
  COLUMNS_UNKNOWN,
  type RollbackChoice,
  type RollbackImpact,
  type RollbackMode,
  schemaChanges,
  versionName,
} from '../../src/app/index.js';

const CARRY_LABELS: Record<CarryOverMode, string> = {
  inserts:
    'Keep them where they fit: rows inserted since the backup are carried into the restored database; updated, deleted and rows that do not fit go to a leftovers file',
  none: 'Discard them: the database becomes exactly the backup (the safety backup still holds them)',
};

const LABELS: Record<RollbackMode, string> = {
  full: 'Images and database (everything as it was before)',
  'images-only': 'Images only: the database stays as it is now',
  'database-only': 'Database only: the images stay as they are now',
};

/** The confirmation before a rollback: what comes back, what is lost, what is kept. */
export function RollbackConfirm({ plan, session }: { plan: RollbackChoice; session: Session }) {
  const { target: d, backup } = plan;
  const first = (Object.keys(plan.modes) as RollbackMode[]).find((m) => plan.modes[m] === null);
  const since = backup ? <Time iso={backup.createdAt} /> : '';
  return (
    <>
      <p>
        <a href={`/deployments/${d.id}`}>
          #{d.id} {deploymentTitle(d, plan.tags)}
        </a>{' '}
        by {d.actor}, <Time iso={d.createdAt} />, replaced <VersionRef sha={d.previousCommit} tags={plan.tags} />.
        Rolling back to before it brings back{' '}
        <strong class="version">{versionName(d.previousCommit, plan.tags)}</strong>:
      </p>
      <ul>
        <li>
          Images:{' '}
          {Object.entries(d.previousImages ?? {}).map(([service, image]) => (
            <span class="pair">
              {service} <Image ref_={image} />{' '}
            </span>
          ))}
          {Object.keys(d.previousImages ?? {}).length === 0 && 'none recorded'}
        </li>
        <li>
          Code: the compose repo at <VersionRef sha={d.previousCommit} tags={plan.tags} />
        </li>
        <li>
          Database: {backup ? <a href={`/backups/${backup.id}`}>backup #{backup.id}</a> : 'no usable backup'}
          {backup && <>, taken {since}</>}
        </li>
      </ul>
      {plan.undone && (
        <Notice tone="danger" title="Warning: this undoes a rollback that already happened" role="alert">
          <p>
            {plan.undone[0]!.toUpperCase() + plan.undone.slice(1)}: what ran before it runs again already. Rolling back
            to before it now would put back <VersionRef sha={d.previousCommit} tags={plan.tags} />
            {backup && (
              <>
                {' '}
                and{' '}
                <strong>
                  restore backup #{backup.id} from {since} over the data written since then
                </strong>
              </>
            )}
            . Do this only to go back to exactly that state.
          </p>
        </Notice>
      )}
      {plan.impact && <ImpactView impact={plan.impact} />}
      <form method="post" action={`/deployments/${d.id}/rollback`} data-busy="Starting the rollback…">
        <CsrfField session={session} />
        <fieldset>
          <legend>What to roll back</legend>
          {(Object.keys(LABELS) as RollbackMode[]).map((mode) => (
            <div class="choice">
              <input
                type="radio"
                id={`mode-${mode}`}
                name="mode"
                value={mode}
                disabled={plan.modes[mode] !== null}
                checked={mode === first}
                required
              />
              <label for={`mode-${mode}`}>
                {LABELS[mode]}
                {plan.modes[mode] !== null && <span class="muted"> (not possible: {plan.modes[mode]})</span>}
              </label>
            </div>
          ))}
        </fieldset>
        {backup && (
          <fieldset>
            <legend>Rows written since the backup</legend>
            {(Object.keys(CARRY_LABELS) as CarryOverMode[]).map((mode) => (
              <div class="choice">
                <input
                  type="radio"
                  id={`carry-${mode}`}
                  name="carryOver"
                  value={mode}
                  checked={mode === plan.carryOver}
                  required
                />
                <label for={`carry-${mode}`}>{CARRY_LABELS[mode]}</label>
              </div>
            ))}
          </fieldset>
        )}
        <Notice tone="danger" title="Read before you roll back">
          <ul>
            {backup && (
              <li>
                <strong>Database writes since {since} will be replaced</strong> by the backup's contents when the
                database is rolled back; with the first choice above, the rows inserted since are kept where they fit,
                and everything else is written to a leftovers file you can download from the rollback's page.
              </li>
            )}
            <li>
              The current database is kept when the restored copy replaces it, dumped as a{' '}
              <strong>safety backup</strong> (reason “pre-rollback”) once the app runs again, and dropped only when that
              dump is verified, so this rollback can itself be rolled back from History.
            </li>
            {backup && (
              <li>
                The backup is restored beside the live database while the app serves; then these services are stopped
                for the carry-over and the swap: {plan.stoppedServices.join(', ')}. The app is unavailable meanwhile.
              </li>
            )}
            <li>If anything fails, switchyard puts back the state from just before the rollback.</li>
          </ul>
        </Notice>
        <div class="choice">
          <input type="checkbox" id="confirm" name="confirm" value="yes" required />
          <label for="confirm">
            I understand what will be replaced{backup ? ' and that database writes since that backup will be lost' : ''}
            .
          </label>
        </div>
        <p class="actions">
          <button type="submit" class="danger">
            Roll back now
          </button>{' '}
          <a href="/history">Cancel</a>
        </p>
      </form>
    </>
  );
}

/** Per table: rows now, rows in the dump, and what a database rollback discards (kept by the safety backup). */
function ImpactView({ impact }: { impact: RollbackImpact | { error: string } }) {
  if ('error' in impact)
    return <p class="muted">Rows per table not known: the live database could not be read ({impact.error}).</p>;
  const changed = impact.tables.filter((t) => t.difference !== 0 || t.rowsNow === null || t.rowsInDump === null);
  const schema = schemaChanges(impact);
  return (
    <section aria-labelledby="impact-title">
      <h2 id="impact-title">What a database rollback discards</h2>
      <p id="impact-summary">
        {impact.rowsDiscarded > 0 ? (
          <strong>
            {impact.rowsDiscarded} row{impact.rowsDiscarded === 1 ? '' : 's'} now in the database{' '}
            {impact.rowsDiscarded === 1 ? 'is' : 'are'} not in backup #{impact.backupId}
          </strong>
        ) : (
          <>No table has more rows now than in backup #{impact.backupId}</>
        )}
        {schema.length > 0 && <>; the restore {schema.join('; ')}</>}
        {impact.columns === null && <>; {COLUMNS_UNKNOWN}</>}
        {impact.schemaChanged && <>; the schema changed since the backup (migrations ran)</>}. Counts only: rows edited
        in place do not show here. The <strong>safety backup</strong> (the replaced database, dumped after the swap)
        keeps everything the restore discards.
      </p>
      <TableWrap label="Rows per table">
        <table class="stack impact">
          <caption>
            Rows per table: now and in backup #{impact.backupId} ({changed.length} of {impact.tables.length} differ)
          </caption>
          <thead>
            <tr>
              <th scope="col">Table</th>
              <th scope="col">Rows now</th>
              <th scope="col">Rows in the backup</th>
              <th scope="col">Discarded by the restore</th>
            </tr>
          </thead>
          <tbody>
            {impact.tables.map((t) => (
              <tr class={t.difference > 0 || t.rowsInDump === null ? 'loses' : undefined}>
                <th scope="row" data-label="Table">
                  {t.table}
                </th>
                <td data-label="Rows now" class="num">
                  {t.rowsNow ?? 'no table'}
                </td>
                <td data-label="Rows in the backup" class="num">
                  {t.rowsInDump ?? 'no table'}
                </td>
                <td data-label="Discarded" class="num">
                  {t.rowsInDump === null
                    ? `the table (${t.rowsNow} rows)`
                    : t.difference > 0
                      ? `${t.difference} rows`
                      : t.difference < 0
                        ? `none (${-t.difference} come back)`
                        : 'none'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </section>
  );
}
