import {
  COLUMNS_UNKNOWN,
  type DeployPlan,
  type PlanNote,
  type RollbackPlan,
  schemaChanges,
  type VersionChanges,
} from '../app/index.js';
import { oneLine } from '../errors.js';
import { formatBytes, formatTime } from '../util/format.js';
import { table } from './io.js';

/** The text of a deploy plan, for `switchyard deploy REF --dry-run`: it shows, it does not decide. */
export function deployPlanText(plan: DeployPlan): string {
  const lines = [`deploy ${plan.name}: commit ${short(plan.sha)}${subjectOf(plan)}`];
  lines.push(`now running: ${plan.current.commit ? `commit ${short(plan.current.commit)}` : 'no known commit'}`);
  lines.push(...changeLines(plan.changes));
  lines.push('images:');
  for (const i of plan.images) {
    const where = i.mustPull ? 'will be pulled' : `here (${i.digestAfter ?? 'no registry digest yet'})`;
    const change = i.changes === null ? 'change unknown until the pull' : i.changes ? 'changes' : 'unchanged';
    lines.push(`  ${i.service}: ${i.reference}, ${where}, ${change}`);
  }
  if (plan.images.length === 0) lines.push('  none (no managed services)');
  lines.push(...switchLines(plan.switches));
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
  lines.push(...(plan.changes ? changeLines(plan.changes) : ['commits: unknown']));
  lines.push('images:');
  for (const i of plan.images) {
    const after = i.digestAfter ? `${i.digestAfter}${i.mustPull ? ' (will be pulled)' : ''}` : 'unchanged';
    lines.push(`  ${i.service}: ${i.digestNow ?? '-'} -> ${after}`);
  }
  lines.push(
    `database: ${plan.mode === 'images-only' ? 'unchanged' : plan.backup ? `restored from backup ${plan.backup.id} (${plan.backup.fileName})` : 'no usable backup'}`,
  );
  lines.push(...impactLines(plan.impact), ...carryOverLines(plan.carryOver));
  if (plan.mode !== 'images-only') lines.push(`stopped while restoring: ${plan.stoppedServices.join(', ')}`);
  lines.push(...notes('warnings', plan.warnings), ...notes('blockers', plan.blockers));
  lines.push(plan.blockers.length ? 'dry run: the rollback would be refused' : 'dry run: nothing was changed');
  return lines.join('\n');
}

/** Each managed service's switch: start-first, or stop-first and why. */
function switchLines(switches: DeployPlan['switches']): string[] {
  if (!switches) return ['switch: unknown (docker compose cannot read the files)'];
  return [
    'switch:',
    ...switches.map((s) => `  ${s.service}: ${s.strategy}${s.reason ? ` (${s.reason})` : ', no downtime'}`),
  ];
}

const short = (sha: string) => sha.slice(0, 7);
const subjectOf = (plan: DeployPlan) => (plan.version?.commit ? `: ${plan.version.commit.subject}` : '');

/** The commits between the two versions, the migration files that differ, and the tag's message. */
function changeLines(c: VersionChanges): string[] {
  const lines: string[] = [];
  if (c.direction === 'same') lines.push('commits: none (the same commit)');
  if (c.direction === 'unknown') lines.push(`commits: unknown (${c.error ? oneLine(c.error) : 'no running commit'})`);
  const list = (title: string, commits: VersionChanges['added']) => {
    if (commits.length === 0) return;
    lines.push(`${title}: ${commits.length}${c.truncated ? '+' : ''}`);
    for (const x of commits)
      lines.push(`  ${short(x.sha)} ${x.subject} (${x.author}, ${formatTime(x.date).slice(0, 10)})`);
  };
  list('commits brought in', c.added);
  list('commits taken away', c.removed);
  if (c.direction !== 'same' && c.direction !== 'unknown') {
    lines.push(c.migrations.length ? 'migration files changed:' : 'migration files changed: none');
    for (const m of c.migrations) lines.push(`  ${m.status} ${m.path}`);
  }
  if (c.tagMessage) lines.push('tag message:', ...c.tagMessage.split('\n').map((l) => `  ${l}`));
  return lines;
}

/** Per table, the rows now against the rows in the dump: what the restore discards. */
function impactLines(impact: RollbackPlan['impact']): string[] {
  if (!impact) return [];
  if ('error' in impact) return [`rows per table: not known (${impact.error})`];
  const schema = schemaChanges(impact);
  return [
    `the restore discards ${impact.rowsDiscarded} row(s) now in the database; the safety backup taken first keeps them`,
    ...(schema.length ? [`the restore ${schema.join('; ')}`] : []),
    ...(impact.columns === null ? [COLUMNS_UNKNOWN] : []),
    ...table(
      ['TABLE', 'ROWS NOW', 'ROWS IN BACKUP', 'DISCARDED'],
      impact.tables.map((t) => [
        t.table,
        String(t.rowsNow ?? '-'),
        String(t.rowsInDump ?? '-'),
        t.rowsInDump === null ? 'table' : String(Math.max(0, t.difference)),
      ]),
    ).split('\n'),
  ];
}

function carryOverLines(preview: RollbackPlan['carryOver']): string[] {
  if (!preview) return [];
  if (preview.tables.length === 0) return [`carry-over ${preview.mode}: no table gained rows since the backup`];
  return [
    `carry-over ${preview.mode} (an estimate from row counts; updated and deleted rows show in the rollback's report):`,
    ...table(
      ['TABLE', 'CARRIED', 'LEFT OVER', 'DISCARDED'],
      preview.tables.map((t) => [t.table, String(t.carried), String(t.leftover), String(t.discarded)]),
    ).split('\n'),
  ];
}

const notes = (title: string, list: PlanNote[]) =>
  list.length ? [`${title}:`, ...list.map((n) => `  - ${n.reason}`)] : [];
