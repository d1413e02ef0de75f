import type { RollbackMode } from '../../src/deploy/index.js';
import type { BackupRecord, Deployment } from '../../src/store/index.js';
import type { Session } from '../auth/sessions.js';
import { formatAge, formatTime } from '../lib/format.js';
import { CsrfField, Image, Notice, Time } from './bits.js';
import { deploymentTitle, VersionRef } from './deployment.js';
import { versionName, type TagNames } from '../../src/versions/naming.js';

export interface RollbackPlan {
  target: Deployment;
  /** The target's pre-deploy backup, when it is still usable. */
  backup: BackupRecord | undefined;
  modes: Record<RollbackMode, string | null>; // null: possible; else why not
  /** Services stopped while the database is restored. */
  stoppedServices: string[];
  /** How versions are named (naming.ts). */
  tags: TagNames;
}

const LABELS: Record<RollbackMode, string> = {
  full: 'Images and database (everything as it was before)',
  'images-only': 'Images only: the database stays as it is now',
  'database-only': 'Database only: the images stay as they are now',
};

/** The confirmation before a rollback: what comes back, what is lost, what is kept. */
export function RollbackConfirm({ plan, session }: { plan: RollbackPlan; session: Session }) {
  const { target: d, backup } = plan;
  const first = (Object.keys(plan.modes) as RollbackMode[]).find((m) => plan.modes[m] === null);
  const since = backup ? `${formatTime(backup.createdAt)} (${formatAge(backup.createdAt)} ago)` : '';
  return (
    <>
      <p>
        <a href={`/deployments/${d.id}`}>#{d.id} {deploymentTitle(d, plan.tags)}</a> by {d.actor}, <Time iso={d.createdAt} />, replaced{' '}
        <VersionRef sha={d.previousCommit} tags={plan.tags} />. Rolling back to before it brings back{' '}
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
      <form method="post" action={`/deployments/${d.id}/rollback`} data-busy="Starting the rollback…">
        <CsrfField session={session} />
        <fieldset>
          <legend>What to roll back</legend>
          {(Object.keys(LABELS) as RollbackMode[]).map((mode) => (
            <div class="choice">
              <input type="radio" id={`mode-${mode}`} name="mode" value={mode} disabled={plan.modes[mode] !== null} checked={mode === first} required />
              <label for={`mode-${mode}`}>
                {LABELS[mode]}
                {plan.modes[mode] !== null && <span class="muted"> (not possible: {plan.modes[mode]})</span>}
              </label>
            </div>
          ))}
        </fieldset>
        <Notice tone="danger" title="Read before you roll back">
          <ul>
            {backup && (
              <li>
                <strong>Database writes since {since} will be lost</strong> when the database is rolled back: everything written after that backup (new
                requests, edits) is replaced by the backup's contents.
              </li>
            )}
            <li>
              A <strong>safety backup</strong> of the current database is taken first (reason “pre-rollback”), so this rollback can itself be rolled back
              from History.
            </li>
            {backup && <li>While the database is restored, these services are stopped: {plan.stoppedServices.join(', ')}. The app is unavailable meanwhile.</li>}
            <li>If anything fails, switchyard puts back the state from just before the rollback.</li>
          </ul>
        </Notice>
        <div class="choice">
          <input type="checkbox" id="confirm" name="confirm" value="yes" required />
          <label for="confirm">I understand what will be replaced{backup ? ' and that database writes since that backup will be lost' : ''}.</label>
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
