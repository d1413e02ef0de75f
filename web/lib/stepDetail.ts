import type { DeploymentStep, StepName } from '../../src/app/index.js';
import { formatBytes, shortSha } from './format.js';

type Fields = Record<string, unknown>;
const fields = (detail: unknown): Fields =>
  detail && typeof detail === 'object' && !Array.isArray(detail) ? (detail as Fields) : {};
const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** One line about what a finished step did, from its journaled detail; '' when there is nothing to add. */
export function stepDetail(step: DeploymentStep): string {
  if (step.status === 'failed') return step.error ?? 'failed';
  const d = fields(step.detail);
  if (step.status === 'skipped') return str(d.why);
  if (step.status !== 'ok') return '';
  // Typed against the step table (src/deploy/steps.ts), so a renamed step cannot silently lose its detail.
  switch (step.name as StepName) {
    case 'resolve':
      return `${str(d.ref)} is commit ${shortSha(str(d.commit))}`;
    case 'pull':
      return `${Object.keys(d).length} service image(s) pinned by digest`;
    case 'preflight':
      return typeof d.neededBytes === 'number' && typeof d.freeBytes === 'number'
        ? `backup needs about ${formatBytes(d.neededBytes)}, ${formatBytes(d.freeBytes)} free`
        : '';
    case 'backup':
    case 'rollback: restore database':
    case 'restore database':
      return [(d.backup ?? d.id) ? `backup #${str(d.backup ?? d.id)}` : '', str(d.file), str(d.why)]
        .filter(Boolean)
        .join(', ');
    case 'checkout':
    case 'rollback: checkout':
      return `commit ${shortSha(str(d.commit))}`;
    case 'stop writers':
    case 'rollback: stop writers':
      return Array.isArray(d.services) ? `stopped ${d.services.map(str).join(', ')}` : '';
    case 'check':
      return `deployment #${str(d.deployment)}${d.backup ? `, backup #${str(d.backup)} checked` : ''}`;
    case 'diagnose':
      return Array.isArray(d.containers)
        ? `logs and health checks of ${d.containers.length} container(s) kept: see "Why it failed"`
        : '';
    case 'cleanup':
      return `${str(d.prunedBackups) || 0} old backup(s) pruned, ${str(d.removedImages) || 0} unused image(s) removed`;
    default:
      return '';
  }
}
