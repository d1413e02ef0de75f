import type { CheckResult } from '../../app/index.js';
import { oneLine } from '../../errors.js';
import { parseCommand } from '../args.js';
import { openApp, type Io } from '../io.js';

/** A checklist with a pass/fail line each and the fix for each failure; exit 1 if anything failed. */
export async function doctorCommand(argv: string[], io: Io): Promise<void> {
  const { common } = parseCommand(argv, {}, 0);
  let results: CheckResult[];
  try {
    const app = openApp(common, io);
    results = [{ name: 'config valid', ok: true, detail: 'parsed and validated' }, ...(await app.setup.doctor())];
  } catch (e) {
    results = [
      {
        name: 'config valid',
        ok: false,
        detail: oneLine(e),
        fix: 'fix the key it names; `switchyard config` shows the result',
      },
    ];
  }
  // The details quote what the engine, the database and the registry said: printed through the redactor.
  const { redact } = io.redactor;
  if (common.json) io.out(redact(JSON.stringify(results)));
  else
    for (const r of results)
      io.out(
        redact(
          `${r.ok ? (r.warn ? 'WARN' : 'PASS') : 'FAIL'}  ${r.name}: ${r.detail}${r.fix ? `\n      fix: ${r.fix}` : ''}`,
        ),
      );
  if (results.some((r) => !r.ok)) process.exitCode = 1;
}
