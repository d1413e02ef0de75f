import { ROLLBACK_MODES, type RollbackMode } from '../deploy/rollbackPlan.js';
import type { CarryOverMode } from '../carryover/run.js';
import { inputError } from '../errors.js';
import { parseId } from '../util/id.js';

/** What a face received for a rollback's mode: a mode's name (API query, UI form), or the CLI's and API body's flags. */
export interface RollbackModeInput {
  mode?: string;
  imagesOnly?: boolean;
  databaseOnly?: boolean;
}

/** The one parser of a rollback's mode, for every face; absent is a full rollback. */
export function parseRollbackMode(input: RollbackModeInput): RollbackMode {
  if (input.imagesOnly && input.databaseOnly) throw inputError('images-only and database-only exclude each other');
  if (input.imagesOnly) return 'images-only';
  if (input.databaseOnly) return 'database-only';
  if (input.mode === undefined) return 'full';
  const mode = ROLLBACK_MODES.find((m) => m === input.mode);
  if (!mode) throw inputError(`mode must be full, images-only or database-only, got "${input.mode.slice(0, 40)}"`);
  return mode;
}

/** What becomes of rows written since the backup; absent: the configured `rollback.carryOver`. */
export function parseCarryOver(raw: string | undefined): CarryOverMode | undefined {
  if (raw === undefined || raw === 'inserts' || raw === 'none') return raw;
  throw inputError(`carry-over must be inserts or none, got "${raw.slice(0, 40)}"`);
}

/** A deployment's id as every face receives it (a path segment, an argument). */
export function parseDeploymentId(raw: string | number | undefined): number {
  const id = typeof raw === 'number' ? (Number.isSafeInteger(raw) && raw > 0 ? raw : undefined) : parseId(raw);
  if (id === undefined)
    throw inputError(
      `deployment id must be a positive integer up to ${Number.MAX_SAFE_INTEGER}, got "${String(raw ?? '').slice(0, 20)}"`,
    );
  return id;
}

/** What a deploy command receives: a ref, or `current` to restart the recorded pair. */
export interface DeployInput {
  ref?: string;
  current?: boolean;
}

/** A deploy's target: a ref to resolve, or the recorded pair; the faces that detach check it first with this. */
export function parseDeployInput(input: DeployInput): { ref: string } | { current: true } {
  if (input.current && input.ref) throw inputError('--current deploys the recorded pair: give no REF with it');
  if (input.current) return { current: true };
  if (!input.ref) throw inputError('choose a version to deploy (a tag, branch or commit sha)');
  return { ref: input.ref };
}

/** What a rollback's command receives from a face, before parsing. */
export interface RollbackInput extends RollbackModeInput {
  id: string | number;
  carryOver?: string;
}

/** A rollback's input parsed at once: the faces that hand it to a background process check it first with this. */
export function parseRollbackInput(input: RollbackInput): {
  id: number;
  mode: RollbackMode;
  carryOver: CarryOverMode | undefined;
} {
  return {
    carryOver: parseCarryOver(input.carryOver),
    id: parseDeploymentId(input.id),
    mode: parseRollbackMode(input),
  };
}
