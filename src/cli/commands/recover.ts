import { parseCommand } from '../args.js';
import { openContext, type Io } from '../io.js';
import { recoverInterruptedOperations } from '../../deploy/index.js';

/** Finishes or undoes what a crashed switchyard left unfinished (also done by every command that takes the lock). */
export async function recoverCommand(argv: string[], io: Io): Promise<void> {
  const { common } = parseCommand(argv, {}, 0);
  const ctx = openContext(common, io);
  try {
    const recovered = await recoverInterruptedOperations(ctx);
    if (common.json) return io.out(JSON.stringify(recovered));
    io.out(
      recovered.length
        ? recovered.map((r) => `deployment ${r.deploymentId}: ${r.status}: ${r.summary}`).join('\n')
        : 'nothing to recover',
    );
  } finally {
    ctx.store.close();
  }
}
