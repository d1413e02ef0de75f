import type { DeploymentEvent, Deployments } from '../../src/app/index.js';

export interface PullState {
  image: string;
  status: string;
  current?: number;
  total?: number;
}

export interface OutputSnapshot {
  lines: string[];
  pulls: PullState[];
}

interface Buffer {
  lines: string[];
  pulls: Map<string, PullState>;
  unsubscribe: (() => void) | null;
}

const MAX_LINES = 400;
const MAX_LINE_CHARS = 1000;
const MAX_DEPLOYMENTS = 20;

/**
 * The journal keeps steps and compose output, not pull progress. So that a
 * reloaded progress page (or a second browser) still shows progress, the UI
 * keeps the recent output of each deployment it watches, in memory, and falls
 * back to the journal's copy of the output when it has none.
 */
export class LiveOutput {
  private readonly buffers = new Map<number, Buffer>();

  /** `storedOutput` is the journal's copy of the output: what a restart, or another process's operation, leaves. */
  constructor(private readonly deployments: Pick<Deployments, 'subscribe' | 'isRunning' | 'storedOutput'>) {}

  /** Starts keeping the output of a running deployment (idempotent; a finished one has nothing more to say). */
  watch(deploymentId: number): void {
    if (this.buffers.has(deploymentId) || !this.deployments.isRunning(deploymentId)) return;
    const buffer: Buffer = { lines: [], pulls: new Map(), unsubscribe: null };
    buffer.unsubscribe = this.deployments.subscribe(deploymentId, (e) => this.keep(buffer, e));
    this.buffers.set(deploymentId, buffer);
    this.evict();
  }

  snapshot(deploymentId: number): OutputSnapshot {
    const buffer = this.buffers.get(deploymentId);
    const lines = buffer?.lines.length ? [...buffer.lines] : this.deployments.storedOutput(deploymentId);
    return { lines, pulls: [...(buffer?.pulls.values() ?? [])] };
  }

  private keep(buffer: Buffer, event: DeploymentEvent): void {
    if (event.type === 'log') {
      buffer.lines.push(event.line.slice(0, MAX_LINE_CHARS));
      if (buffer.lines.length > MAX_LINES) buffer.lines.splice(0, buffer.lines.length - MAX_LINES);
    } else if (event.type === 'progress') {
      buffer.pulls.set(event.image, {
        image: event.image,
        status: event.status,
        current: event.current,
        total: event.total,
      });
    } else if (event.type === 'done') {
      buffer.unsubscribe?.();
      buffer.unsubscribe = null;
    }
  }

  /**
   * Oldest finished deployments go first; a running one is never dropped. One
   * run by another process (the CLI) never says "done" here: the journal does.
   */
  private evict(): void {
    for (const [id, buffer] of this.buffers) {
      if (this.buffers.size <= MAX_DEPLOYMENTS) break;
      if (this.deployments.isRunning(id)) continue;
      buffer.unsubscribe?.();
      this.buffers.delete(id);
    }
  }
}
