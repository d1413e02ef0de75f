import { oneLine } from '../errors.js';
import type { DeploymentLog } from '../store/deployments.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/log.js';
import { type Redact, redactDeep } from '../util/redact.js';
import type { DeploymentEvents } from './events.js';
import type { StopSignal } from './shutdown.js';
import type { StepName } from '../domain/steps.js';

/**
 * Where a journal writes: the deployment's record, live watchers, the log, and the stop signal it obeys.
 * The journal is an edge: every error, output line and step detail it keeps passes through `redactor`.
 */
export interface JournalPorts {
  deployments: Pick<DeploymentLog, 'beginStep' | 'endStep' | 'appendOutput'>;
  events: Pick<DeploymentEvents, 'emit'>;
  log: Logger;
  stop: StopSignal;
  redactor: Redact;
  /** Every step's start and end, and every output line, are stamped with its time. */
  clock: Clock;
}

const MAX_LINES_KEPT = 2000;
const MAX_LINE_CHARS = 1000;

/**
 * Runs the steps of one deployment, each journaled in SQLite before it runs and
 * announced to watchers, so that history, the progress page and crash recovery
 * all read the same record. A stop request takes effect here, between two steps.
 */
export class Journal {
  private linesKept = 0;

  constructor(
    private readonly ports: JournalPorts,
    readonly deploymentId: number,
  ) {}

  async step<T>(name: StepName, run: () => Promise<T>, describe?: (result: T) => unknown): Promise<T> {
    const { deployments, events, log, stop, redactor, clock } = this.ports;
    stop.atStepBoundary(name);
    const started = deployments.beginStep(this.deploymentId, name, clock.now());
    events.emit(this.deploymentId, { type: 'step', step: started });
    log.info('step started', { deployment: this.deploymentId, step: name });
    try {
      const result = await run();
      const detail = describe ? redactDeep(describe(result), redactor) : undefined;
      const ended = deployments.endStep(this.deploymentId, started, 'ok', null, detail, clock.now());
      events.emit(this.deploymentId, { type: 'step', step: ended });
      return result;
    } catch (e) {
      const message = redactor.redact(oneLine(e));
      const ended = deployments.endStep(this.deploymentId, started, 'failed', message, undefined, clock.now());
      events.emit(this.deploymentId, { type: 'step', step: ended });
      log.error('step failed', { deployment: this.deploymentId, step: name, error: message });
      throw e;
    }
  }

  skip(name: StepName, why: string): void {
    const { deployments, events, clock } = this.ports;
    const at = clock.now();
    const started = deployments.beginStep(this.deploymentId, name, at);
    const ended = deployments.endStep(this.deploymentId, started, 'skipped', null, { why }, at);
    events.emit(this.deploymentId, { type: 'step', step: ended });
  }

  /** Compose output: kept in the journal (bounded) and announced to watchers. */
  log(line: string): void {
    const text = this.ports.redactor.redact(line).slice(0, MAX_LINE_CHARS);
    let seq: number | undefined;
    if (this.linesKept < MAX_LINES_KEPT) {
      this.linesKept++;
      const kept = this.linesKept === MAX_LINES_KEPT ? '… (further output not kept)' : text;
      seq = this.ports.deployments.appendOutput(this.deploymentId, kept, this.ports.clock.now());
    }
    this.ports.events.emit(this.deploymentId, { type: 'log', line: text, seq });
  }

  /** Image pull progress: announced to watchers only (too chatty to journal). */
  progress(p: { image: string; status: string; current?: number; total?: number }): void {
    this.ports.events.emit(this.deploymentId, { type: 'progress', ...p });
  }
}
