import fs from 'node:fs/promises';
import { restoreDatabase } from '../backup/restore.js';
import { pinFilePath, writePins } from '../compose/pins.js';
import { streamCompose } from '../compose/project.js';
import type { Context } from '../context.js';
import { inspectDatabase } from '../database/index.js';
import { oneLine } from '../errors.js';
import type { BackupRow } from '../store/index.js';
import { checkHealth } from './health.js';
import type { Journal } from './journal.js';
import { checkoutCommit, type HostState } from './state.js';

export interface RollbackOutcome {
  status: 'rolled-back' | 'rollback-failed';
  summary: string;
}

/**
 * A deploy failed after it started changing the host: put the recorded
 * previous state back — commit, pins, containers — and the pre-deploy dump
 * when the policy says so (by default: only if the schema changed since the
 * backup, i.e. migrations ran). Never throws: the outcome says what happened.
 */
export async function rollBackAutomatically(
  ctx: Context,
  journal: Journal,
  input: { previous: HostState; backup: BackupRow | undefined; cause: string; restoreDatabase?: 'auto' | 'always' | 'never' },
): Promise<RollbackOutcome> {
  const { previous, backup } = input;
  const restored: string[] = [];
  try {
    if (previous.commit) {
      await journal.step('rollback: checkout', () => checkoutCommit(ctx.config.project.dir, previous.commit!), () => ({ commit: previous.commit }));
      restored.push(`commit ${previous.commit.slice(0, 7)}`);
    }
    await journal.step('rollback: pin', () => restorePins(ctx, previous), () => previous.images);

    const why = await databaseRestoreReason(ctx, backup, input.restoreDatabase ?? ctx.config.deploy.restoreDatabase);
    if (why && backup) {
      const writers = databaseWriters(ctx);
      await journal.step('rollback: stop writers', () => streamCompose(ctx.config, ['stop', ...writers], (l) => journal.log(l)), () => ({ services: writers }));
      await journal.step('rollback: restore database', () => restoreDatabase(ctx, backup), () => ({ backup: backup.id, why }));
      restored.push(`database from ${backup.fileName}`);
    } else {
      journal.skip('rollback: restore database', why === null ? 'schema unchanged since the pre-deploy backup' : 'no pre-deploy backup');
    }

    await journal.step('rollback: up', () =>
      streamCompose(ctx.config, ['up', '--detach', '--no-build', '--remove-orphans', '--wait', '--wait-timeout', String(ctx.config.deploy.timeoutSeconds)], (l) =>
        journal.log(l),
      ),
    );
    await journal.step('rollback: health', () => checkHealth(ctx, previous.images));
    return { status: 'rolled-back', summary: `rolled back to the previous version (${['images', ...restored].join(', ')})` };
  } catch (e) {
    return { status: 'rollback-failed', summary: `ROLLBACK FAILED: ${oneLine(e)}` };
  }
}

/** Why the database must be restored, or null when it must not. */
async function databaseRestoreReason(ctx: Context, backup: BackupRow | undefined, policy: 'auto' | 'always' | 'never'): Promise<string | null> {
  if (!backup || policy === 'never') return null;
  if (policy === 'always') return 'restore policy: always';
  const session = await ctx.database().session();
  try {
    const now = await inspectDatabase(session);
    return now.schemaFingerprint !== backup.schemaFingerprint ? 'the schema changed since the pre-deploy backup (migrations ran)' : null;
  } finally {
    await session.close();
  }
}

/** The previous pins, or no pin file at all when nothing was pinned before (a host started by hand). */
async function restorePins(ctx: Context, previous: HostState): Promise<void> {
  if (Object.keys(previous.images).length > 0) await writePins(ctx.config.stateDir, previous.images);
  else await fs.rm(pinFilePath(ctx.config.stateDir), { force: true });
}

/** The services stopped while the database is restored, so that no write lands during it. */
export function databaseWriters(ctx: Context): string[] {
  return ctx.config.rollback.stopServices ?? Object.keys(ctx.config.services);
}
