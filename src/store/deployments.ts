import type { ImagePins } from '../domain/images.js';
import type { Db } from './db.js';

export type DeploymentKind = 'deploy' | 'rollback' | 'restore';
/**
 * running → succeeded | failed (stopped before any change) | rolled-back (failed,
 * previous version restored) | rollback-failed (failed, and so did the restore:
 * needs a human) | interrupted (the process died; finished by crash recovery) |
 * superseded (the process died, and a later operation changed what runs before
 * recovery came: closed by crash recovery without undoing anything).
 */
export type DeploymentStatus =
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'rolled-back'
  | 'rollback-failed'
  | 'interrupted'
  | 'superseded';
export type StepStatus = 'running' | 'ok' | 'failed' | 'skipped';
export type { ImagePins };

export interface DeploymentStep {
  seq: number;
  name: string;
  status: StepStatus;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  detail: unknown;
}

export interface Deployment {
  id: number;
  kind: DeploymentKind;
  ref: string | null;
  commit: string | null;
  tag: string | null;
  status: DeploymentStatus;
  actor: string;
  createdAt: string;
  finishedAt: string | null;
  error: string | null;
  images: ImagePins | null;
  previousCommit: string | null;
  previousImages: ImagePins | null;
  backupId: number | null;
  rollbackOf: number | null;
}

interface Raw {
  id: number;
  kind: DeploymentKind;
  ref: string | null;
  commit_sha: string | null;
  tag: string | null;
  status: DeploymentStatus;
  actor: string;
  created_at: string;
  finished_at: string | null;
  error: string | null;
  images: string | null;
  previous_commit: string | null;
  previous_images: string | null;
  backup_id: number | null;
  rollback_of: number | null;
}

/** The last failed deploy of a version: what the Versions page and the deploy plan warn with. */
export interface FailedDeployment {
  id: number;
  /** When it ended (ISO 8601). */
  at: string;
  /** Why, in one line: its first diagnosis ("up: service backend is unhealthy: …"), else its error. */
  headline: string;
}

const json = <T>(text: string | null): T | null => (text ? (JSON.parse(text) as T) : null);

const fromRaw = (r: Raw): Deployment => ({
  id: r.id,
  kind: r.kind,
  ref: r.ref,
  commit: r.commit_sha,
  tag: r.tag,
  status: r.status,
  actor: r.actor,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
  error: r.error,
  images: json<ImagePins>(r.images),
  previousCommit: r.previous_commit,
  previousImages: json<ImagePins>(r.previous_images),
  backupId: r.backup_id,
  rollbackOf: r.rollback_of,
});

export class DeploymentLog {
  constructor(private readonly db: Db) {}

  create(d: {
    kind: DeploymentKind;
    ref: string | null;
    commit: string | null;
    tag: string | null;
    actor: string;
    rollbackOf?: number | null;
    /** From the operation's clock; now by default. */
    createdAt?: Date;
  }): number {
    const info = this.db
      .prepare(
        `INSERT INTO deployments (kind, ref, commit_sha, tag, status, actor, created_at, rollback_of)
         VALUES (?, ?, ?, ?, 'running', ?, ?, ?)`,
      )
      .run(d.kind, d.ref, d.commit, d.tag, d.actor, (d.createdAt ?? new Date()).toISOString(), d.rollbackOf ?? null);
    return Number(info.lastInsertRowid);
  }

  /** Records what the deployment replaces, before anything is changed. */
  setPrevious(id: number, previousCommit: string | null, previousImages: ImagePins): void {
    this.db
      .prepare(`UPDATE deployments SET previous_commit = ?, previous_images = ? WHERE id = ?`)
      .run(previousCommit, JSON.stringify(previousImages), id);
  }

  setImages(id: number, images: ImagePins): void {
    this.db.prepare(`UPDATE deployments SET images = ? WHERE id = ?`).run(JSON.stringify(images), id);
  }

  setBackup(id: number, backupId: number): void {
    this.db.prepare(`UPDATE deployments SET backup_id = ? WHERE id = ?`).run(backupId, id);
  }

  finish(id: number, status: Exclude<DeploymentStatus, 'running'>, error: string | null = null, at = new Date()): void {
    this.db
      .prepare(`UPDATE deployments SET status = ?, error = ?, finished_at = ? WHERE id = ?`)
      .run(status, error, at.toISOString(), id);
  }

  get(id: number): Deployment | undefined {
    const raw = this.db.prepare(`SELECT * FROM deployments WHERE id = ?`).get(id) as Raw | undefined;
    return raw && fromRaw(raw);
  }

  /** Newest first. */
  list(limit = 100): Deployment[] {
    return (this.db.prepare(`SELECT * FROM deployments ORDER BY id DESC LIMIT ?`).all(limit) as Raw[]).map(fromRaw);
  }

  /** The deployment whose version is running now: the newest that succeeded. */
  current(): Deployment | undefined {
    const raw = this.db
      .prepare(`SELECT * FROM deployments WHERE status = 'succeeded' ORDER BY id DESC LIMIT 1`)
      .get() as Raw | undefined;
    return raw && fromRaw(raw);
  }

  /**
   * Per commit sha, its last deploy that failed (failed, rolled back, or whose rollback failed),
   * unless a later deploy of the same commit succeeded: the failure is then history, not a warning.
   */
  failedVersions(): Map<string, FailedDeployment> {
    const rows = this.db
      .prepare(
        `SELECT d.id, d.commit_sha AS sha, COALESCE(d.finished_at, d.created_at) AS at, d.error,
           (SELECT json_extract(s.detail, '$.step') || ': ' || json_extract(s.detail, '$.headline')
              FROM deployment_steps s
             WHERE s.deployment_id = d.id AND s.name = 'diagnose' AND s.status = 'ok'
             ORDER BY s.seq LIMIT 1) AS diagnosis
         FROM deployments d
        WHERE d.kind = 'deploy' AND d.commit_sha IS NOT NULL
          AND d.status IN ('failed', 'rolled-back', 'rollback-failed')
          AND NOT EXISTS (SELECT 1 FROM deployments later WHERE later.kind = 'deploy'
                AND later.commit_sha = d.commit_sha AND later.status = 'succeeded' AND later.id > d.id)
        ORDER BY d.id`,
      )
      .all() as Array<{ id: number; sha: string; at: string; error: string | null; diagnosis: string | null }>;
    // Oldest first: a later failure of the same commit replaces an earlier one.
    return new Map(
      rows.map((r) => [r.sha, { id: r.id, at: r.at, headline: r.diagnosis ?? r.error ?? 'failed (no reason kept)' }]),
    );
  }

  /** Deployments journaled as running: after a crash, the ones recovery must finish or undo. */
  unfinished(): Deployment[] {
    return (this.db.prepare(`SELECT * FROM deployments WHERE status = 'running' ORDER BY id`).all() as Raw[]).map(
      fromRaw,
    );
  }

  /** The deployments recorded after deployment `id`, oldest first: what crash recovery weighs an orphan against. */
  after(id: number): Deployment[] {
    return (this.db.prepare(`SELECT * FROM deployments WHERE id > ? ORDER BY id`).all(id) as Raw[]).map(fromRaw);
  }

  /** Keeps one output line; returns its position, by which a follower in another process reads on after it. */
  appendOutput(deploymentId: number, line: string, at = new Date()): number {
    const row = this.db
      .prepare(`INSERT INTO deployment_output (deployment_id, at, line) VALUES (?, ?, ?)`)
      .run(deploymentId, at.toISOString(), line);
    return Number(row.lastInsertRowid);
  }

  /** The output lines after position `after` (0: from the start), oldest first, with their positions. */
  outputAfter(deploymentId: number, after: number, limit = 1000): Array<{ seq: number; line: string }> {
    return this.db
      .prepare(`SELECT id AS seq, line FROM deployment_output WHERE deployment_id = ? AND id > ? ORDER BY id LIMIT ?`)
      .all(deploymentId, after, limit) as Array<{ seq: number; line: string }>;
  }

  /** The last `limit` output lines of a deployment, oldest first. */
  output(deploymentId: number, limit = 400): string[] {
    const rows = this.db
      .prepare(
        `SELECT line FROM (SELECT id, line FROM deployment_output WHERE deployment_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id`,
      )
      .all(deploymentId, limit) as Array<{ line: string }>;
    return rows.map((r) => r.line);
  }

  beginStep(deploymentId: number, name: string, at = new Date()): DeploymentStep {
    const seq =
      ((
        this.db.prepare(`SELECT MAX(seq) AS seq FROM deployment_steps WHERE deployment_id = ?`).get(deploymentId) as {
          seq: number | null;
        }
      ).seq ?? 0) + 1;
    const startedAt = at.toISOString();
    this.db
      .prepare(
        `INSERT INTO deployment_steps (deployment_id, seq, name, status, started_at) VALUES (?, ?, ?, 'running', ?)`,
      )
      .run(deploymentId, seq, name, startedAt);
    return { seq, name, status: 'running', startedAt, finishedAt: null, error: null, detail: null };
  }

  endStep(
    deploymentId: number,
    step: DeploymentStep,
    status: StepStatus,
    error: string | null,
    detail: unknown,
    at = new Date(),
  ): DeploymentStep {
    const finishedAt = at.toISOString();
    this.db
      .prepare(
        `UPDATE deployment_steps SET status = ?, finished_at = ?, error = ?, detail = ? WHERE deployment_id = ? AND seq = ?`,
      )
      .run(status, finishedAt, error, detail === undefined ? null : JSON.stringify(detail), deploymentId, step.seq);
    return { ...step, status, finishedAt, error, detail: detail ?? null };
  }

  /**
   * Every step named one of `names` that ended ok, of any deployment, with no step `later` ended ok after it in
   * the same journal: what recovery reads to know whether anything awaits a later step, without asking further.
   */
  stepsWithoutLater(
    names: readonly string[],
    later: string,
  ): Array<{ deploymentId: number; name: string; detail: unknown }> {
    const rows = this.db
      .prepare(
        `SELECT s.deployment_id, s.name, s.detail FROM deployment_steps s
         WHERE s.status = 'ok' AND s.name IN (SELECT value FROM json_each(?))
           AND NOT EXISTS (SELECT 1 FROM deployment_steps d WHERE d.deployment_id = s.deployment_id
                           AND d.name = ? AND d.status = 'ok' AND d.seq > s.seq)
         ORDER BY s.deployment_id, s.seq`,
      )
      .all(JSON.stringify(names), later) as Array<{ deployment_id: number; name: string; detail: string | null }>;
    return rows.map((r) => ({ deploymentId: r.deployment_id, name: r.name, detail: json(r.detail) }));
  }

  steps(deploymentId: number): DeploymentStep[] {
    const rows = this.db
      .prepare(`SELECT * FROM deployment_steps WHERE deployment_id = ? ORDER BY seq`)
      .all(deploymentId) as Array<{
      seq: number;
      name: string;
      status: StepStatus;
      started_at: string;
      finished_at: string | null;
      error: string | null;
      detail: string | null;
    }>;
    return rows.map((r) => ({
      seq: r.seq,
      name: r.name,
      status: r.status,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      error: r.error,
      detail: json(r.detail),
    }));
  }
}
