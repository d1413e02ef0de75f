import type { PullState } from '../live/output.js';
import { durationBetween, formatBytes, shortSha } from '../lib/format.js';
import { stepDetail } from '../lib/stepDetail.js';
import { type Deployment, type DeploymentStep, stepLabel, type TagNames, versionName } from '../../src/app/index.js';
import { Sha, StatusBadge } from './bits.js';

/** "Deploy v2.0.0", "Rollback before #3 to v1.0.0": what an operation was, in a few words, versions named by their tag. */
export function deploymentTitle(d: Deployment, tags?: TagNames): string {
  if (d.kind === 'deploy') return `Deploy ${d.tag ?? d.ref ?? versionName(d.commit, tags)}`;
  return `Rollback ${d.ref ?? ''} to ${versionName(d.commit, tags, d.tag)}`.replace(/\s+/g, ' ');
}

/** from → to, each version named by its tag (naming.ts) with its short sha. */
export function FromTo(props: { d: Deployment; tags?: TagNames }) {
  const { d, tags } = props;
  return (
    <span class="fromto">
      <VersionRef sha={d.previousCommit} tags={tags} />{' '}
      <span role="img" aria-label="to">
        →
      </span>{' '}
      {d.commit ? <VersionRef sha={d.commit} tags={tags} tag={d.tag} /> : <span>same commit</span>}
    </span>
  );
}

/** "v1.0.0 (4c04bff)" with the full sha on hover, or the short sha alone for an untagged commit. */
export function VersionRef(props: { sha: string | null | undefined; tags?: TagNames; tag?: string | null }) {
  const name = versionName(props.sha, props.tags, props.tag ?? null);
  if (!props.sha || name === shortSha(props.sha)) return <Sha sha={props.sha} />;
  return (
    <span class="version-ref">
      <strong>{name}</strong> <Sha sha={props.sha} />
    </span>
  );
}

export function StepRow(props: { step: DeploymentStep }) {
  const { step } = props;
  const detail = stepDetail(step);
  return (
    <tr id={`step-${step.seq}`} class={step.name.startsWith('rollback: ') ? 'rollback-step' : undefined}>
      <th scope="row" data-label="Step" title={stepLabel(step.name)}>
        {step.name}
      </th>
      <td data-label="Status">
        <StatusBadge status={step.status} />
      </td>
      <td class="num" data-label="Duration" data-started={step.finishedAt ? undefined : step.startedAt}>
        {durationBetween(step.startedAt, step.finishedAt)}
      </td>
      <td class="detail" data-label="Detail">
        {detail}
      </td>
    </tr>
  );
}

export function StepsTable(props: { steps: DeploymentStep[]; caption: string }) {
  return (
    <section class="table-wrap" aria-label={props.caption} tabindex={0}>
      <table class="stack steps">
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col">Status</th>
            <th scope="col">Duration</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody id="steps">
          {props.steps.map((step) => (
            <StepRow step={step} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function PullItem(props: { pull: PullState }) {
  const { pull } = props;
  const bytes = pull.total ? ` (${formatBytes(pull.current ?? 0)} of ${formatBytes(pull.total)})` : '';
  return (
    <li data-image={pull.image}>
      <code class="image">{pull.image}</code>: {pull.status}
      {bytes}
    </li>
  );
}
