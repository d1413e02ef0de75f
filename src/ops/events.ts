import { EventEmitter } from 'node:events';
import type { Deployment, DeploymentStep } from '../store/index.js';

/** What a watcher of a deployment sees, in order: steps, pull progress, compose output, the end. */
export type DeploymentEvent =
  | { type: 'step'; step: DeploymentStep }
  | { type: 'progress'; image: string; status: string; current?: number; total?: number }
  /** `seq`: the line's position in the journal (absent when the journal no longer keeps lines). */
  | { type: 'log'; line: string; seq?: number }
  | { type: 'done'; deployment: Deployment };

/** In-process fan-out of live events; the journal in SQLite is what survives a restart. */
export class DeploymentEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0); // one listener per open progress page
  }

  emit(deploymentId: number, event: DeploymentEvent): void {
    this.emitter.emit(String(deploymentId), event);
  }

  subscribe(deploymentId: number, listener: (event: DeploymentEvent) => void): () => void {
    this.emitter.on(String(deploymentId), listener);
    return () => this.emitter.off(String(deploymentId), listener);
  }
}
