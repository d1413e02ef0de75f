import {
  carryOverOf,
  type Deployment,
  type DeploymentStep,
  failureReportsOf,
  operationWords,
  type TagNames,
  undoWords,
  versionLabel,
} from '../../src/app/index.js';
import { CarryOverView } from './carryOver.js';
import type { OutputSnapshot } from '../live/output.js';
import { capitalize, durationBetween, shortImage } from '../lib/format.js';
import { stepDetail } from '../lib/stepDetail.js';
import { Image, Notice, StatusBadge, Time } from './bits.js';
import { FromTo, PullItem, StepsTable } from './deployment.js';
import { FailureView } from './failure.js';

export interface ProgressProps {
  deployment: Deployment;
  steps: DeploymentStep[];
  output: OutputSnapshot;
  tags: TagNames;
}

/** One operation: its facts, its outcome, its steps and output; live while it runs (web/assets/app.js). */
export function ProgressView({ deployment: d, steps, output, tags }: ProgressProps) {
  const running = d.status === 'running';
  const failures = failureReportsOf(steps);
  const carried = carryOverOf(steps);
  return (
    <div data-events={running ? `/deployments/${d.id}/events` : undefined}>
      <Outcome d={d} steps={steps} tags={tags} />
      {failures.map((report, i) => (
        <FailureView report={report} d={d} n={i} />
      ))}
      {carried && <CarryOverView report={carried} deploymentId={d.id} />}
      <Facts d={d} tags={tags} />
      <StepsTable steps={steps} caption="Steps, in order" />
      <section aria-labelledby="pulls-title" id="pulls-section" hidden={output.pulls.length === 0}>
        <h2 id="pulls-title">Image pulls</h2>
        <ul id="pulls" class="plain">
          {output.pulls.map((pull) => (
            <PullItem pull={pull} />
          ))}
        </ul>
      </section>
      <section aria-labelledby="log-title">
        <h2 id="log-title">Compose output</h2>
        <pre id="log" class="log" role="log" tabindex={0} aria-labelledby="log-title">
          {output.lines.length ? `${output.lines.join('\n')}\n` : ''}
        </pre>
        {output.lines.length === 0 && !running && (
          <p class="muted">
            No output kept: output is shown live and kept in the daemon's memory only, for recent operations.
          </p>
        )}
      </section>
    </div>
  );
}

function Outcome({ d, steps, tags }: { d: Deployment; steps: DeploymentStep[]; tags: TagNames }) {
  const what = capitalize(operationWords(d.kind).the);
  return (
    <section id="outcome" data-status={d.status} aria-label="Outcome">
      {d.status === 'running' && (
        <Notice tone="info" title="Running">
          <p>This page follows the operation as it runs; you may close it, the operation goes on.</p>
          <p id="live-status" role="status"></p>
        </Notice>
      )}
      {d.status === 'succeeded' && (
        <Notice tone="ok" title={`${what} succeeded`} role="status">
          <p>{d.commit ? `The app now runs ${versionLabel(d.commit, tags, d.tag)}.` : 'Finished.'}</p>
        </Notice>
      )}
      {d.status === 'failed' && (
        <Notice tone="danger" title={`${what} failed before changing anything`} role="alert">
          <p>{d.error}</p>
        </Notice>
      )}
      {d.status === 'rolled-back' && (
        <Notice tone="warn" title={`${what} failed and was rolled back automatically`} role="alert">
          <p>{d.error}</p>
          <RolledBack steps={steps} d={d} tags={tags} />
        </Notice>
      )}
      {d.status === 'rollback-failed' && (
        <Notice tone="danger" title="ROLLBACK FAILED: the app may be down and needs a person" role="alert">
          <p>{d.error}</p>
          <RolledBack steps={steps} d={d} tags={tags} />
          <p>
            Look at the failed step below, then use <a href="/history">History</a> to roll back to a known good state.
          </p>
        </Notice>
      )}
      {d.status === 'interrupted' && (
        <Notice
          tone="warn"
          title="Interrupted (the daemon stopped during it); recovery put the previous state back"
          role="alert"
        >
          <p>{d.error}</p>
        </Notice>
      )}
    </section>
  );
}

/** What the automatic rollback put back, read from its journaled steps. */
function RolledBack({ steps, d, tags }: { steps: DeploymentStep[]; d: Deployment; tags: TagNames }) {
  const step = (name: string) => steps.find((s) => s.name === `rollback: ${name}`);
  const items: string[] = [];
  const checkout = step('checkout');
  if (checkout?.status === 'ok')
    items.push(`Code: the compose repo is back at ${versionLabel(d.previousCommit, tags)}.`);
  if (step('pin')?.status === 'ok') {
    const images = Object.entries(d.previousImages ?? {}).map(([service, image]) => `${service} ${shortImage(image)}`);
    items.push(`Images: ${images.length ? images.join(', ') : 'the unpinned images started by hand'}.`);
  }
  const words = undoWords(d);
  // Today's undo swaps the kept database back, or restores online (with carry-over); `restore database` is older.
  const database = step('restore database');
  const restored = step('swap database') ?? database;
  const carried = step('carry over');
  if (step('swap back')?.status === 'ok')
    items.push(
      `Database: put back as it was before ${operationWords(d.kind).the} (the database it replaced, kept until ` +
        `now). ${capitalize(words.writes)} are in the database this replaced, kept until the next operation dumps it as a backup.`,
    );
  else if (restored?.status === 'ok')
    items.push(
      `Database: restored from the ${words.backup} (${stepDetail(restored)}). ` +
        (carried?.status === 'ok'
          ? `Rows inserted since were carried over (${stepDetail(carried)}); what could not be is in the leftovers file.`
          : `${capitalize(words.writes)} are gone.`),
    );
  if (database?.status === 'skipped') items.push(`Database: left as it was (${stepDetail(database)}).`);
  const health = step('health');
  if (health)
    items.push(
      health.status === 'ok' ? 'Health: the previous version is running and healthy.' : `Health: ${stepDetail(health)}`,
    );
  if (items.length === 0) return null;
  return (
    <>
      <p>What was rolled back:</p>
      <ul id="rolled-back">
        {items.map((item) => (
          <li>{item}</li>
        ))}
      </ul>
    </>
  );
}

/** What the operation is: sent again by the event stream after each step, so the summary never lags the steps. */
export function Facts({ d, tags }: { d: Deployment; tags: TagNames }) {
  return (
    <dl class="facts" id="facts">
      <dt>Status</dt>
      <dd>
        <StatusBadge status={d.status} />
      </dd>
      <dt>Started by</dt>
      <dd>{d.actor}</dd>
      <dt>Started</dt>
      <dd>
        <Time iso={d.createdAt} />
      </dd>
      <dt>Duration</dt>
      <dd>{durationBetween(d.createdAt, d.finishedAt)}</dd>
      <dt>Commit</dt>
      <dd>
        <FromTo d={d} tags={tags} />
      </dd>
      {d.images && (
        <>
          <dt>Images</dt>
          <dd>
            <ul class="plain">
              {Object.entries(d.images).map(([service, image]) => (
                <li>
                  {service}: <Image ref_={image} />
                </li>
              ))}
            </ul>
          </dd>
        </>
      )}
      <dt>{capitalize(operationWords(d.kind).backup)}</dt>
      <dd>{d.backupId ? <a href={`/backups/${d.backupId}`}>backup #{d.backupId}</a> : 'none'}</dd>
      {d.rollbackOf && (
        <>
          <dt>Rolls back</dt>
          <dd>
            <a href={`/deployments/${d.rollbackOf}`}>deployment #{d.rollbackOf}</a>
          </dd>
        </>
      )}
    </dl>
  );
}
