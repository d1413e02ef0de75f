/**
 * What does an off-site copy cost, and how long does a fresh host take to get
 * its database back from the bucket?
 *
 * 1. Push: switchyard's uploadBackup (age in a child process, both sha256s,
 *    streamed multipart upload through @aws-sdk/lib-storage, manifest) against
 *    the bare tools in the same run: `age -r … -o dump.age dump`, then an SDK
 *    multipart upload of that file with the same part size and concurrency.
 *    Alternating runs; goal: ratio of medians ≤ 1.10.
 * 2. Fresh-host restore of the bench database (≥ 800 MB, bench/dataset.ts) from
 *    the bucket: a new state dir and backups dir, the database dropped, then
 *    restoreFromOffsite (download + decrypt + both sha256s, verified restore into
 *    a fresh database, row counts and fingerprint against the manifest, swap);
 *    every phase reported. Goal: ≤ 2 minutes in all on 2 cores.
 * The S3 server is s3rver on loopback (test/fixtures/s3.ts), so the network is
 * not the bottleneck: the figures are switchyard's own overhead.
 *
 *   npm run bench:offsite                                          # full run
 *   BENCH_REQUESTS=100000 BENCH_SCALE=2 BENCH_RUNS=2 npm run bench:offsite   # smoke run
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Upload } from '@aws-sdk/lib-storage';
import { S3Client } from '@aws-sdk/client-s3';
import { backupNow } from '../src/backup/service.js';
import { parseConfig } from '../src/config/index.js';
import { openBucket, UPLOAD_PART_BYTES } from '../src/offsite/bucket.js';
import { deployPorts } from '../src/app/ports/deploy.js';
import { restoreFromOffsite } from '../src/offsite/restore.js';
import { uploadBackup } from '../src/offsite/upload.js';
import { testContext } from '../test/fixtures/context.js';
import { ageKeyPair, S3_ACCESS_KEY, S3_SECRET_KEY, startS3 } from '../test/fixtures/s3.js';
import { datasetSizeFromEnv, filledCluster } from './dataset.js';
import {
  benchRuns,
  mb,
  median,
  requireTools,
  runBenchmark,
  runTool,
  secs,
  since,
  stopIfInterrupted,
  writeResults,
} from './lib.js';

const RUNS = benchRuns();
const SIZE = datasetSizeFromEnv(1000);

async function main(): Promise<void> {
  requireTools({ postgres: true });
  const { cluster, dbBytes } = await filledCluster('offsite', SIZE);
  const s3 = await startS3('bench-offsite');
  Object.assign(process.env, s3.env);
  const ctx = testContext({ database: `{ url: ${JSON.stringify(cluster.url('app'))} }` });
  let fresh: ReturnType<typeof testContext> | undefined;
  try {
    stopIfInterrupted();
    const key = ageKeyPair(ctx.root);
    const offsiteYaml = s3.offsiteYaml({ recipients: [key.recipient], prefix: 'bench/' });
    ctx.config = parseConfig(`${fs.readFileSync(ctx.configFile, 'utf8')}\n${offsiteYaml}`);
    const offsite = ctx.config.offsite!;

    console.log('offsite: taking the backup every contestant copies ...');
    const record = await backupNow(ctx, { reason: 'manual', actor: 'bench' });
    const backup = ctx.store.backups.get(record.id)!;
    const file = path.join(ctx.config.backups.dir, backup.fileName);
    const dumpBytes = fs.statSync(file).size;
    console.log(`offsite: database ${mb(dbBytes)} MB, dump ${backup.fileName} ${mb(dumpBytes)} MB`);

    // --- 1. push vs bare age + SDK upload -------------------------------------------------------------
    const bucket = openBucket(offsite);
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: S3_ACCESS_KEY, secretAccessKey: S3_SECRET_KEY },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const encryptedFile = path.join(ctx.root, 'bare.age');
    const seconds = {
      switchyard: [] as number[],
      bare: [] as number[],
      bareAge: [] as number[],
      bareUpload: [] as number[],
    };
    // One untimed copy first: connections, the SDK's first request and the page cache are the same for both then.
    await uploadBackup(bucket, offsite, ctx.config.backups.dir, backup, null, () => ctx.clock.now());
    for (let run = 1; run <= RUNS; run++) {
      const order = run % 2 ? (['switchyard', 'bare'] as const) : (['bare', 'switchyard'] as const);
      for (const who of order) {
        stopIfInterrupted();
        const t0 = performance.now();
        if (who === 'switchyard') {
          await uploadBackup(bucket, offsite, ctx.config.backups.dir, backup, null, () => ctx.clock.now());
          seconds.switchyard.push(since(t0));
        } else {
          await runTool('age', ['-r', key.recipient, '-o', encryptedFile, file]);
          const t1 = performance.now();
          seconds.bareAge.push((t1 - t0) / 1000);
          const upload = new Upload({
            client,
            params: {
              Bucket: s3.bucket,
              Key: `bare/${backup.fileName}.age`,
              Body: fs.createReadStream(encryptedFile, { highWaterMark: 1 << 20 }),
            },
            partSize: UPLOAD_PART_BYTES,
            queueSize: 4,
          });
          await upload.done();
          seconds.bareUpload.push(since(t1));
          seconds.bare.push(since(t0));
          fs.rmSync(encryptedFile, { force: true });
        }
        console.log(`  run ${run}: ${who.padEnd(10)} ${secs(seconds[who].at(-1)!)} s`);
      }
    }
    const push = {
      switchyard: median(seconds.switchyard),
      bare: median(seconds.bare),
      bareAge: median(seconds.bareAge),
      bareUpload: median(seconds.bareUpload),
    };
    const ratio = push.switchyard / push.bare;
    console.log(
      `push: switchyard ${secs(push.switchyard)} s vs bare ${secs(push.bare)} s (age ${secs(push.bareAge)} + upload ${secs(push.bareUpload)}): ` +
        `ratio ${ratio.toFixed(3)} (goal ≤ 1.10), ${(mb(dumpBytes) / push.switchyard).toFixed(0)} MB/s`,
    );
    // Each switchyard run wrote the object and then its manifest: the bucket now holds one good backup.

    // --- 2. fresh-host restore of the bench database --------------------------------------------------
    stopIfInterrupted();
    cluster.psql('postgres', 'DROP DATABASE app WITH (FORCE)');
    fresh = testContext({ database: `{ url: ${JSON.stringify(cluster.url('app'))} }`, extra: offsiteYaml });
    console.log('fresh host: restore --offsite latest (database missing, empty state dir) ...');
    const t0 = performance.now();
    const result = await restoreFromOffsite(fresh, deployPorts(fresh), {
      name: 'latest',
      identityFile: key.identityFile,
      withImages: false,
      force: false,
      actor: 'bench',
    });
    const total = since(t0);
    if (result.deployment.status !== 'succeeded') throw new Error(`restore failed: ${result.deployment.error}`);
    for (const p of result.phases) console.log(`  ${p.name.padEnd(18)} ${secs(p.seconds)} s`);
    console.log(`  ${'total'.padEnd(18)} ${secs(total)} s (goal ≤ 120 s)`);
    writeResults('offsite.json', {
      date: new Date().toISOString(),
      runs: RUNS,
      dbBytes,
      dumpBytes,
      push: { seconds, medians: push, ratio },
      freshHostRestore: { phases: result.phases, totalSeconds: total },
    });
  } finally {
    fresh?.cleanup();
    ctx.cleanup();
    await s3.stop();
    await cluster.stop();
  }
}

runBenchmark(import.meta.url, 'offsite benchmark', main);
