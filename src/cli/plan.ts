import type { DeployPlan, PlanNote, RollbackPlan } from '../deploy/index.js';
import { formatBytes } from '../util/format.js';

/** The text of a deploy plan, for `switchyard deploy REF --dry-run`: it shows, it does not decide. */
export function deployPlanText(plan: DeployPlan): string {
  const lines = [`deploy ${plan.name}: commit ${short(plan.sha)}${subjectOf(plan)}`];
  lines.push(`now running: ${plan.current.commit ? `commit ${short(plan.current.commit)}` : 'no known commit'}`);
  lines.push(...commitLines(plan.commits));
  lines.push('images:');
  for (const i of plan.images) {
    const where = i.mustPull ? 'will be pulled' : `here (${i.digestAfter ?? 'no registry digest yet'})`;
    const change = i.changes === null ? 'change unknown until the pull' : i.changes ? 'changes' : 'unchanged';
    lines.push(`  ${i.service}: ${i.reference}, ${where}, ${change}`);
  }
  if (plan.images.length === 0) lines.push('  none (no managed services)');
  const b = plan.backup;
  const size =
    b.estimateBytes === null ? 'size unknown' : `about ${formatBytes(b.estimateBytes)} (from the ${b.basis})`;
  lines.push(`backup: database ${b.database} into ${b.dir}, ${size}; ${formatBytes(b.freeBytes)} free`);
  lines.push(`on failure: automatic rollback; database restore: ${plan.restorePolicy}`);
  lines.push(...notes('warnings', plan.warnings), ...notes('blockers', plan.blockers));
  lines.push(plan.blockers.length ? 'dry run: the deploy would be refused' : 'dry run: nothing was changed');
  return lines.join('\n');
}

/** The text of a rollback plan, for `switchyard rollback ID --dry-run`. */
export function rollbackPlanText(plan: RollbackPlan): string {
  const lines = [`rollback to before deployment ${plan.target.id} (${plan.mode})`];
  lines.push(
    `code: ${plan.commit.now ? short(plan.commit.now) : '-'} -> ${plan.commit.after ? short(plan.commit.after) : '-'}`,
  );
  lines.push(...commitLines(plan.commits));
  lines.push('images:');
  for (const i of plan.images) {
    const after = i.digestAfter ? `${i.digestAfter}${i.mustPull ? ' (will be pulled)' : ''}` : 'unchanged';
    lines.push(`  ${i.service}: ${i.digestNow ?? '-'} -> ${after}`);
  }
  lines.push(
    `database: ${plan.mode === 'images-only' ? 'unchanged' : plan.backup ? `restored from backup ${plan.backup.id} (${plan.backup.fileName})` : 'no usable backup'}`,
  );
  if (plan.mode !== 'images-only') lines.push(`stopped while restoring: ${plan.stoppedServices.join(', ')}`);
  lines.push(...notes('warnings', plan.warnings), ...notes('blockers', plan.blockers));
  lines.push(plan.blockers.length ? 'dry run: the rollback would be refused' : 'dry run: nothing was changed');
  return lines.join('\n');
}

const short = (sha: string) => sha.slice(0, 7);
const subjectOf = (plan: DeployPlan) => (plan.version?.commit ? `: ${plan.version.commit.subject}` : '');

function commitLines(commits: DeployPlan['commits']): string[] {
  if (!commits) return ['commits: unknown'];
  if (commits.direction === 'same') return ['commits: none (the same commit)'];
  const verb = commits.direction === 'forward' ? 'brought in' : 'taken away';
  return [`commits ${verb}: ${commits.list.length}`, ...commits.list.map((c) => `  ${short(c.sha)} ${c.subject}`)];
}

const notes = (title: string, list: PlanNote[]) =>
  list.length ? [`${title}:`, ...list.map((n) => `  - ${n.reason}`)] : [];
