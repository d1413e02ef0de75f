import { type ComposeConfig, composeBaseArgs } from '../compose/project.js';
import { type CheckResult, runChecks } from '../doctor/checks.js';
import type { RuntimeSource } from './runtime.js';

export type { CheckResult } from '../doctor/checks.js';
export { initHost, type InitInput, type InitReport } from './initHost.js';

/** Host setup and checks: doctor here; init (before any config, so without a runtime) in initHost.ts. */
export class Setup {
  constructor(private readonly runtime: RuntimeSource) {}

  /** The checklist, in the order an operator would fix things: the engine, the database, registries, backups… */
  doctor(): Promise<CheckResult[]> {
    return runChecks(this.runtime());
  }
}

/** `switchyard compose -- ARGS…` as a command line: the project's files and the pin file, so `up` runs the pins. */
export function composePassthrough(
  config: ComposeConfig,
  args: readonly string[],
): { command: 'docker'; args: string[]; cwd: string } {
  return { command: 'docker', args: [...composeBaseArgs(config), ...args], cwd: config.project.dir };
}
