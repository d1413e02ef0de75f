import type { Readable, Writable } from 'node:stream';
import type { DatabaseTarget } from '../database/index.js';
import { failed } from '../errors.js';
import { maskUrlSecrets } from '../util/redact.js';
import { type PipedProcess, runIntoPipe } from '../util/namedPipe.js';
import { tailOf, type ToolProcess } from '../util/process.js';
import type { PiecePool } from '../util/readInPieces.js';
import { hostScratch } from '../util/scratchDir.js';
import { CopyScript } from './copyScript.js';
import { decompressArchive, pgRestoreFailed, zstdCause } from './pgRestoreRun.js';
import type { RunningStream } from './runningStream.js';

/** psql running a script from stdin; its first error ends it with code 3. */
const PSQL_SCRIPT_ARGS = ['--no-psqlrc', '--quiet', '--set=ON_ERROR_STOP=1'];

/**
 * One large table's rows, loaded over `sessions` COPYs at once, straight from the file
 * (restorePlan.ts says which tables, and why):
 *
 *   zstd -dc FILE | pg_restore --use-list=LIST --file=-    the table's data as a SQL script
 *   → this process deals its rows out, whole lines at a time, to whichever session is ready
 *   → psql, in each session: the script's preamble (pg_restore's own settings and COPY), rows, `\.`
 *
 * pg_restore still reads the archive (its framing, its checks) and writes the settings, so each
 * session loads as pg_restore's own would; only the rows take another way. The rows' order on
 * disk differs from a plain restore's, which nothing may rely on. Like the other streams, not one
 * transaction: the database is fresh, dropped by the caller when this throws.
 *
 * The first session that fails stops the rest, and its words are the error; a pg_restore that
 * fails is named with zstd's words beside it, as in the other streams (zstdCause).
 */
export function startSplitTable(
  target: DatabaseTarget,
  database: string,
  file: string,
  list: string,
  sessions: number,
): RunningStream {
  const running: ToolProcess[] = [];
  let stopped = false;
  const stop = () => {
    stopped = true;
    for (const child of running) child.kill();
  };
  const done = (async () => {
    let zstd!: ToolProcess; // started in `start` below, before anything else can fail
    let zstdErrors!: () => string;
    let script: PipedProcess | undefined;
    const loaders: ToolProcess[] = [];
    try {
      // pg_restore writes the script into a named pipe in this host's temp dir, read into pieces that are refilled
      // (readInPieces.ts), or else on its stdout. zstd starts once the pipe is made: this process reads a child's
      // stdout from the moment it exists, so nothing may be awaited between starting zstd and handing its stdout
      // to pg_restore.
      script = await runIntoPipe(target.readsHostFiles ? hostScratch() : null, 0o600, async (pipe) => {
        zstd = decompressArchive(file);
        zstdErrors = tailOf(zstd.stderr);
        running.push(zstd);
        const args = [`--use-list=${list}`, `--file=${pipe?.there ?? '-'}`];
        return target.spawn('pg_restore', args, { database, stdin: zstd.stdout });
      });
      running.push(script);
      for (let i = 0; i < sessions; i++) {
        const loader = await target.spawn('psql', PSQL_SCRIPT_ARGS, { database, stdin: true });
        running.push(loader);
        loaders.push(loader);
      }
    } catch (e) {
      script?.stdout.destroy();
      stop();
      throw e;
    }
    if (stopped) stop();
    const scriptErrors = tailOf(script.stderr);
    let loaderFailure: Error | null = null;
    for (const loader of loaders) {
      loader.stdout.resume();
      const errors = tailOf(loader.stderr);
      void loader.exited.then((code) => {
        // Only the first to fail on its own counts: the others were then stopped here.
        if (code === 0 || loaderFailure || stopped) return;
        loaderFailure = failed(
          `restore failed (psql exited with code ${code} loading a table's rows): ${maskUrlSecrets(errors()) || 'no error output'}`,
        );
        stop();
      });
    }
    const reader = new CopyScript();
    let dealError: unknown = null;
    try {
      await dealRows(
        script.stdout,
        reader,
        loaders.map((l) => l.stdin!),
        script.pieces,
      );
    } catch (e) {
      dealError = e;
      stop();
    } finally {
      script.stdout.destroy(); // read to its end, or no longer wanted
    }
    const scriptCode = await script.exited;
    let zstdWords = '';
    if (scriptCode !== 0) zstdWords = await zstdCause(zstd, zstdErrors);
    else zstd.kill(); // when it still runs, nothing reads its output any more
    await Promise.all([zstd.exited, ...loaders.map((l) => l.exited)]); // a loader's failure is in loaderFailure by then
    if (loaderFailure) throw loaderFailure;
    if (scriptCode !== 0) throw pgRestoreFailed('restore', scriptCode, scriptErrors(), zstdWords);
    if (dealError) throw dealError;
  })();
  return { done, stop };
}

/**
 * Reads pg_restore's script and writes its rows to whichever input can take more, each input
 * first given the preamble; at the end each gets `\.` and is closed, so that its psql ends the COPY
 * and exits. Throws when the script is not one whole COPY (copyScript.ts). With `pieces`, each run
 * of rows goes back to that pool once written (PiecePool's rule: this is the last consumer).
 */
async function dealRows(script: Readable, reader: CopyScript, inputs: Writable[], pieces?: PiecePool): Promise<void> {
  let wake: (() => void) | null = null;
  for (const input of inputs) {
    input.on('error', () => undefined); // a psql that died: its exit code tells
    input.on('drain', () => wake?.());
    input.on('close', () => wake?.());
  }
  const ready = async (): Promise<Writable | null> => {
    for (;;) {
      const open = inputs.filter((input) => input.writable);
      if (open.length === 0) return null;
      const free = open.find((input) => !input.writableNeedDrain);
      if (free) return free;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  };
  let started = false;
  for await (const piece of script as AsyncIterable<Buffer>) {
    const runs = reader.rows(piece);
    if (!started && reader.preamble) {
      started = true;
      for (const input of inputs) input.write(reader.preamble);
    }
    for (const run of runs) {
      const input = await ready();
      if (!input) return; // every session ended early: their exit codes tell why
      input.write(run, pieces?.hold(run));
    }
  }
  reader.finish();
  for (const input of inputs) input.end('\\.\n');
}
