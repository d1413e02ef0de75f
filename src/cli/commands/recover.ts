import { parseCommand } from '../args.js';
import { formatTime } from '../../util/format.js';
import { cliActor, openApp, type Io } from '../io.js';
import { describeRecovery } from '../../app/index.js';

/** Finishes or undoes what a crashed switchyard left unfinished (also done first by every operation). */
export async function recoverCommand(argv: string[], io: Io): Promise<void> {
  const { common } = parseCommand(argv, {}, 0);
  const report = await openApp(common, io).deployments.recover(cliActor(io.env));
  if (common.json) return io.out(JSON.stringify(report));
  const lines = describeRecovery(report);
  if (report.busy)
    lines.push(
      `left alone: ${report.busy.operation} runs (pid ${report.busy.pid}, since ${formatTime(report.busy.acquiredAt)})`,
    );
  io.out(lines.length ? lines.join('\n') : 'nothing to recover');
}
