import type { Deployment, DeploymentKind } from '../store/index.js';

/**
 * What a text speaks of: an operation (a record's kind), the automatic rollback that undid a failed
 * one, or crash recovery's undo of an interrupted one.
 */
export type OperationKind = DeploymentKind | 'automatic rollback' | 'recovery';

export interface OperationWords {
  /** "the deploy", "the automatic rollback", … */
  the: string;
  /** The backup the database is restored from when this operation undoes or is undone. */
  backup: string;
  /** What that restore discards. */
  writes: string;
}

/**
 * How pages and CLI texts name an operation's backup and the writes a restore of it discards: one
 * table, so that a rollback's page never speaks of a "pre-deploy backup" or of "the deploy".
 */
const WORDS: Record<OperationKind, OperationWords> = {
  deploy: { the: 'the deploy', backup: 'pre-deploy backup', writes: 'writes made during the deploy' },
  rollback: { the: 'the rollback', backup: 'safety backup', writes: 'writes made during the rollback' },
  restore: { the: 'the restore', backup: 'safety backup', writes: 'writes made during the restore' },
  'automatic rollback': {
    the: 'the automatic rollback',
    backup: "operation's own backup",
    writes: 'writes made during the failed operation',
  },
  recovery: {
    the: 'the recovery',
    backup: "interrupted operation's backup",
    writes: 'writes made during the interrupted operation',
  },
};

export const operationWords = (kind: OperationKind): OperationWords => WORDS[kind];

/**
 * Who put a record's previous state back (its `rollback: …` steps), in the words of what it restored:
 * recovery for an interrupted operation, else the automatic rollback of that record's kind.
 */
export function undoWords(d: Pick<Deployment, 'kind' | 'status'>): OperationWords {
  const own = WORDS[d.kind];
  const by = WORDS[d.status === 'interrupted' ? 'recovery' : 'automatic rollback'];
  return { the: by.the, backup: own.backup, writes: own.writes };
}

/** The heading of one failure report: the operation's own failure, or its undo's. */
export const failureTitle = (d: Pick<Deployment, 'kind' | 'status'>, step: string): string =>
  step.startsWith('rollback: ') ? `Why ${undoWords(d).the} failed too` : `Why ${operationWords(d.kind).the} failed`;
