import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { DatabaseTarget, HostTools } from '../database/index.js';
import { failed } from '../errors.js';
import type { Config } from '../config/index.js';
import { spawnHost, tailOf, type ToolProcess } from '../util/process.js';
import { coalesce } from './coalesce.js';
import { encodeArchiveIndex } from './archiveIndex.js';
import { compactArchive } from './compactArchive.js';
import { fanOut, fileAndHashSink } from './tee.js';

type Compression = Config['backups']['compression'];

export interface DumpPlan {
  /** pg_dump's own compression: 0 when zstd compresses (or nothing does), the zlib level for gzip. */
  pgDumpCompress: number;
  /** An uncompressed archive's per-row chunks are merged on the way through (compactArchive.ts). */
  compactChunks: boolean;
  /** The host's zstd, when it compresses: its arguments. */
  zstdArgs: string[] | null;
  /** Where the read-back pg_restore runs. */
  verifyOnHost: boolean;
}

/**
 * What a backup will run, decided from the config and the probed host alone
 * (pure). The read-back runs on the host when its pg_restore can read this
 * server's dumps (it is the target's own, or not older than the server): in service
 * mode that spares pushing the whole dump back into the container. Otherwise it runs
 * where pg_dump ran, whose version always matches.
 */
export function planDump(compression: Compression, host: HostTools, serverMajor: number): DumpPlan {
  if (compression.method === 'zstd' && !host.zstd) {
    throw failed(
      'zstd is not installed on this host (backups.compression.method is zstd): install the zstd package, or set method: gzip',
    );
  }
  const pgDumpCompress = compression.method === 'gzip' ? compression.level : 0;
  return {
    pgDumpCompress,
    compactChunks: pgDumpCompress === 0,
    zstdArgs: compression.method === 'zstd' ? ['-q', '-c', `-${compression.level}`, `-T${compression.threads}`] : null,
    verifyOnHost: host.pgRestore === 'target' || (host.pgRestore !== null && host.pgRestore >= serverMajor),
  };
}

export interface WrittenDump {
  sizeBytes: number;
  sha256: string;
  /** How the archive came from pg_dump (DumpProcess.via). */
  via: string;
}

/**
 * Streams `pg_dump --format=custom` of the snapshot, in one pass (an uncompressed
 * archive compacted on the way, compactArchive.ts), into the read-back
 * `pg_restore --file=/dev/null` (the archive uncompressed, so no inflating) and
 * into the file: through a multi-threaded zstd on the host, followed by the
 * archive's data sizes (archiveIndex.ts), or as it is. The sha256 is of the
 * bytes as stored.
 *
 * Every consumer is started before pg_dump, and each child's output has its
 * reader from the tick it is spawned: a child that exits unread loses its output.
 * Children still running when this throws are in `running`, for the caller to kill.
 */
export async function writeVerifiedDump(
  target: DatabaseTarget,
  plan: DumpPlan,
  snapshot: string,
  file: FileHandle,
  running: ToolProcess[],
  onDumpStderr: (text: string) => void,
): Promise<WrittenDump> {
  const started = <P extends ToolProcess>(proc: P) => {
    running.push(proc);
    return proc;
  };
  const verifier = started(
    plan.verifyOnHost
      ? spawnHost('pg_restore', ['--file=/dev/null'], { stdin: true, nice: BACKGROUND })
      : await target.spawn('pg_restore', ['--file=/dev/null'], { stdin: true }),
  );
  const verifyErrors = tailOf(verifier.stderr);
  verifier.stdout.resume();

  const hash = createHash('sha256');
  const sink = fileAndHashSink(file, hash);
  const compressor = plan.zstdArgs
    ? started(spawnHost('zstd', plan.zstdArgs, { stdin: true, nice: BACKGROUND }))
    : null;
  const compressErrors = compressor ? tailOf(compressor.stderr) : () => '';
  const compactor = plan.compactChunks ? compactArchive() : null;
  // zstd's output, then the archive's data sizes in a frame that zstd readers skip (archiveIndex.ts). zstd's
  // output ends after its input has, so the compactor has seen the whole archive by then.
  const withIndex = async function* (zstdOutput: AsyncIterable<Buffer>) {
    yield* zstdOutput;
    const sizes = compactor?.dataSizes();
    if (sizes) yield encodeArchiveIndex(sizes);
  };
  const stored = compressor ? settled(pipeline(compressor.stdout, withIndex, sink)) : null;
  const outlets = [
    { stream: verifier.stdin!, child: true },
    compressor ? { stream: compressor.stdin!, child: true } : { stream: sink, child: false },
  ];

  const dump = started(
    await target.dump([
      '--format=custom',
      `--compress=${plan.pgDumpCompress}`,
      `--snapshot=${snapshot}`,
      '--no-password',
    ]),
  );
  const dumpErrors = tailOf(dump.stderr);
  dump.stderr.on('data', (c: Buffer) => onDumpStderr(c.toString().trim()));
  // Read from the tick pg_dump exists, in large pieces (coalesce.ts). The read-back sees the compacted archive:
  // what is stored is what is verified.
  const streamed = settled(
    compactor
      ? pipeline(dump.stdout, coalesce(), compactor, fanOut(outlets, dump.pieces))
      : pipeline(dump.stdout, coalesce(), fanOut(outlets, dump.pieces)),
  );

  // A write error (disk full) ends everything at once; the caller kills what still runs.
  const firstError = await Promise.race([
    Promise.all([streamed, stored]).then(([a, b]) => a ?? b),
    ...[streamed, stored].map(errorOnly),
  ]);
  if (firstError) throw firstError;
  const [dumpCode, compressCode, verifyCode] = await Promise.all([
    dump.exited,
    compressor?.exited ?? 0,
    verifier.exited,
  ]);
  if (dumpCode !== 0) throw failed(`pg_dump exited with code ${dumpCode}: ${dumpErrors() || 'no error output'}`);
  if (compressCode !== 0)
    throw failed(`zstd exited with code ${compressCode}: ${compressErrors() || 'no error output'}`);
  if (verifyCode !== 0)
    throw failed(`the dump does not read back (pg_restore exited with code ${verifyCode}): ${verifyErrors()}`);
  return { sizeBytes: sink.bytes(), sha256: hash.digest('hex'), via: dump.via };
}

/**
 * The host's read-back and compressor yield the CPU to the database server and
 * the app (`nice` 10): a backup runs beside the live app, and pg_dump, the one
 * that sets the pace, is the server's. On a busy 2-core host this was also the
 * faster backup (bench:backup, service mode: 6.1 s against 6.6 s, 3 runs each).
 */
const BACKGROUND = 10;

/** A pipeline's outcome as a value (null when it went through), never an unhandled rejection. */
const settled = (p: Promise<void>): Promise<Error | null> =>
  p.then(
    () => null,
    (e: unknown) => e as Error,
  );

/** Resolves with the error as soon as there is one; never resolves otherwise. */
const errorOnly = (p: Promise<Error | null> | null) =>
  new Promise<Error>((resolve) => void p?.then((e) => e && resolve(e)));
