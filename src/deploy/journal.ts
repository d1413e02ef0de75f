import type { Context } from '../context.js';
import { oneLine } from '../errors.js';
import { redact } from '../util/redact.js';
import { atStepBoundary } from './shutdown.js';
import type { StepName } from './steps.js';

/**
 * Runs the steps of one deployment, each journaled in SQLite before it runs and
 * announced to watchers, so that history, the progress page and crash recovery
 * all read the same record.
 */
const MAX_LINES_KEPT = 2000;
const MAX_LINE_CHARS = 1000;

export class Journal {
  private linesKept = 0;

  constructor(
    private readonly ctx: Context,
    readonly deploymentId: number,
  ) {}

  async step<T>(name: StepName, run: () => Promise<T>, describe?: (result: T) => unknown): Promise<T> {
    atStepBoundary(name);
    const { deployments } = this.ctx.store;
    const started = deployments.beginStep(this.deploymentId, name);
    this.ctx.events.emit(this.deploymentId, { type: 'step', step: started });
    this.ctx.log.info('step started', { deployment: this.deploymentId, step: name });
    try {
      const result = await run();
      const ended = deployments.endStep(this.deploymentId, started, 'ok', null, describe?.(result));
      this.ctx.events.emit(this.deploymentId, { type: 'step', step: ended });
      return result;
    } catch (e) {
      const message = redact(oneLine(e));
      const ended = deployments.endStep(this.deploymentId, started, 'failed', message, undefined);
      this.ctx.events.emit(this.deploymentId, { type: 'step', step: ended });
      this.ctx.log.error('step failed', { deployment: this.deploymentId, step: name, error: message });
      throw e;
    }
  }

  skip(name: StepName, why: string): void {
    const { deployments } = this.ctx.store;
    const started = deployments.beginStep(this.deploymentId, name);
    const ended = deployments.endStep(this.deploymentId, started, 'skipped', null, { why });
    this.ctx.events.emit(this.deploymentId, { type: 'step', step: ended });
  }

  /** Compose output: kept in the journal (bounded) and announced to watchers. */
  log(line: string): void {
    const text = redact(line).slice(0, MAX_LINE_CHARS);
    let seq: number | undefined;
    if (this.linesKept < MAX_LINES_KEPT) {
      this.linesKept++;
      const kept = this.linesKept === MAX_LINES_KEPT ? '… (further output not kept)' : text;
      seq = this.ctx.store.deployments.appendOutput(this.deploymentId, kept);
    }
    this.ctx.events.emit(this.deploymentId, { type: 'log', line: text, seq });
  }
}
