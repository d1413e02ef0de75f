import type { Deployment, DeploymentStep } from '../../src/store/index.js';
import type { PullState } from '../live/output.js';
import { durationBetween, formatBytes, shortSha } from '../lib/format.js';
import { stepLabel } from '../../src/deploy/steps.js';
import { stepDetail } from '../lib/stepDetail.js';
import { Sha, StatusBadge } from './bits.js';

/** "Deploy v2.0.0", "Rollback before #3": what an operation was, in a few words. */
export function deploymentTitle(d: Deployment): string {
  return d.kind === 'deploy' ? `Deploy ${d.ref ?? shortSha(d.commit)}` : `Rollback ${d.ref ?? ''}`.trim();
}

/** from → to, by commit (the tag or ref where known). */
export function FromTo(props: { d: Deployment }) {
  const { d } = props;
  const to = d.kind === 'deploy' ? d.tag ?? d.ref : null;
  return (
    <span class="fromto">
      <Sha sha={d.previousCommit} /> <span aria-label="to">→</span> {d.commit ? <Sha sha={d.commit} /> : <span>same commit</span>}
      {to && <span> ({to})</span>}
    </span>
  );
}

export function StepRow(props: { step: DeploymentStep }) {
  const { step } = props;
  const detail = stepDetail(step);
  return (
    <tr id={`step-${step.seq}`} class={step.name.startsWith('rollback: ') ? 'rollback-step' : undefined}>
      <th scope="row" title={stepLabel(step.name)}>
        {step.name}
      </th>
      <td>
        <StatusBadge status={step.status} />
      </td>
      <td class="num" data-started={step.finishedAt ? undefined : step.startedAt}>
        {durationBetween(step.startedAt, step.finishedAt)}
      </td>
      <td class="detail">{detail}</td>
    </tr>
  );
}

export function StepsTable(props: { steps: DeploymentStep[]; caption: string }) {
  return (
    <div class="table-wrap" role="region" aria-label={props.caption} tabindex={0}>
      <table class="steps">
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
    </div>
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
