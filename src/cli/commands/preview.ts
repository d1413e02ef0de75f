import type { Context } from '../../context.js';
import { alreadyUndone, readRollbackImpact } from '../../deploy/rollbackImpact.js';
import { captureHostState } from '../../deploy/state.js';
import { inputError, notFound, oneLine } from '../../errors.js';
import { versionChanges, type VersionChanges } from '../../versions/changes.js';
import { readTagNames, versionLabel } from '../../versions/naming.js';
import { resolveRef, validateRef } from '../../versions/ref.js';
import { table, type Io } from '../io.js';

/**
 * `deploy REF --dry-run` and `rollback ID --dry-run`: what would change, read
 * without taking the lock or changing anything. The integrator folds these into
 * the typed plans (src/deploy); the functions they show are src/versions/changes.ts
 * and src/deploy/rollbackImpact.ts.
 */
export async function previewDeploy(ctx: Context, rawRef: string, json: boolean, io: Io): Promise<void> {
  const target = await resolveRef(ctx.config.project.dir, validateRef(rawRef));
  const running = await captureHostState(ctx).then(
    (s) => s.commit,
    () => ctx.store.deployments.current()?.commit ?? null,
  );
  const changes = await versionChanges(ctx.config.project.dir, {
    from: running,
    to: target.sha,
    tag: target.tag,
    migrationPaths: ctx.config.project.migrationPaths,
  });
  if (json) return io.out(JSON.stringify({ ref: target.ref, commit: target.sha, tag: target.tag, changes }));
  const tags = await readTagNames(ctx.config.project.dir);
  io.out(`deploy ${target.ref}: ${versionLabel(running, tags)} → ${versionLabel(target.sha, tags, target.tag)} (dry run: nothing changed)`);
  io.out(describeChanges(changes));
}

export async function previewRollback(ctx: Context, deploymentId: number, mode: string, json: boolean, io: Io): Promise<void> {
  const target = ctx.store.deployments.get(deploymentId);
  if (!target) throw notFound(`deployment ${deploymentId} does not exist`);
  const undone = alreadyUndone(target, ctx.store.deployments.list(1000));
  const dump = mode !== 'images-only' && target.backupId ? ctx.store.backups.get(target.backupId) : undefined;
  if (mode !== 'images-only' && dump?.status !== 'ok') throw inputError(`deployment ${target.id} has no usable database backup; use --images-only`);
  const impact = dump ? await readRollbackImpact(ctx, dump) : null;
  if (json) return io.out(JSON.stringify({ deployment: target.id, mode, undone, impact }));
  const tags = await readTagNames(ctx.config.project.dir);
  io.out(`rollback to before deployment ${target.id} (${mode}): brings back ${versionLabel(target.previousCommit, tags)} (dry run: nothing changed)`);
  if (undone) io.out(`WARNING: ${undone}; rolling back to before it again restores the state from before it over everything since.`);
  if (!impact) return io.out('database: left as it is (images only)');
  if ('error' in impact) return io.out(`database: rows per table not known (${impact.error})`);
  io.out(
    `database: restored from backup ${impact.backupId} (${impact.backupTakenAt}); it discards ${impact.rowsDiscarded} row(s) now in the database` +
      `${impact.tablesDropped.length ? ` and drops ${impact.tablesDropped.join(', ')}` : ''}. The safety backup taken first keeps them.`,
  );
  io.out(
    table(
      ['TABLE', 'ROWS NOW', 'ROWS IN BACKUP', 'DISCARDED'],
      impact.tables.map((t) => [t.table, String(t.rowsNow ?? '-'), String(t.rowsInDump ?? '-'), t.rowsInDump === null ? 'table' : String(Math.max(0, t.difference))]),
    ),
  );
}

function describeChanges(c: VersionChanges): string {
  const lines: string[] = [];
  if (c.direction === 'same') lines.push('same commit as what runs: no code changes');
  if (c.direction === 'unknown') lines.push(`commits in between: not known (${c.error ? oneLine(c.error) : 'no running commit'})`);
  const list = (title: string, commits: VersionChanges['added']) => {
    if (commits.length === 0) return;
    lines.push(`${title} (${commits.length}${c.truncated ? '+' : ''}):`);
    for (const x of commits) lines.push(`  ${x.sha.slice(0, 7)} ${x.subject} (${x.author}, ${x.date.slice(0, 10)})`);
  };
  list('commits added', c.added);
  list('commits taken away', c.removed);
  if (c.direction !== 'same' && c.direction !== 'unknown') {
    lines.push(c.migrations.length ? 'migration files changed:' : 'migration files changed: none');
    for (const m of c.migrations) lines.push(`  ${m.status} ${m.path}`);
  }
  if (c.tagMessage) lines.push('tag message:', ...c.tagMessage.split('\n').map((l) => `  ${l}`));
  return lines.join('\n');
}
