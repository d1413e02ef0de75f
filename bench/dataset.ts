/**
 * The benchmarks' database, shaped like the 311 system switchyard was built
 * for: pgbench's tables plus `service_requests`, rows of a city's service
 * requests with a category, a status, an address, a free-text description of
 * 100–400 characters (stock sentences and specifics, bench/text.ts), timestamps
 * and a jsonb of details. Text compresses like text (neither random bytes nor
 * one repeated string), so the dump's size and the compressor's work look like
 * a real backup's.
 *
 * Everything is generated server-side in SQL (generate_series), in chunks of
 * rows that run two at a time, one per core; 1 M rows take well under a minute.
 */
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startPgCompose, type ComposeSandbox } from '../test/fixtures/compose.js';
import { run } from '../test/fixtures/env.js';
import { PG_BIN, startPgCluster, type PgCluster } from '../test/fixtures/postgres.js';
import { envInt, mb, MiB, secs, since } from './lib.js';
import { DEPARTMENTS, pick, sentenceSql } from './text.js';

/** How to reach the database being filled, whichever mode it runs in. */
export interface DatasetFiller {
  psql(sql: string): string;
  /** Like psql, without blocking: lets chunks of rows be generated in parallel sessions. */
  psqlAsync(sql: string): Promise<string>;
  pgbenchInit(scale: number): void;
}

export interface DatasetSize {
  /** pgbench -i -s; about 15 MB of database per unit. */
  scale: number;
  /** Rows of service_requests; about 650 bytes of database each, indexes included. */
  requests: number;
  /** Below this, a run is flagged as a smoke run. */
  minBytes: number;
  database?: string;
}

const CHUNK_ROWS = 250_000;
const PARALLEL_SESSIONS = 2;

const CATEGORIES = [
  'Pothole',
  'Streetlight Out',
  'Graffiti Removal',
  'Illegal Dumping',
  'Abandoned Vehicle',
  'Missed Trash Pickup',
  'Recycling',
  'Sidewalk Repair',
  'Tree Trimming',
  'Fallen Tree',
  'Water Leak',
  'Sewer Backup',
  'Storm Drain Blocked',
  'Traffic Signal',
  'Missing Sign',
  'Noise Complaint',
  'Rodent Control',
  'Dead Animal',
  'Park Maintenance',
  'Snow Removal',
  'Bulk Item Pickup',
  'Parking Violation',
  'Homeless Encampment',
  'Code Enforcement',
];
const STATUSES = [
  'open',
  'open',
  'assigned',
  'in_progress',
  'closed',
  'closed',
  'closed',
  'closed',
  'duplicate',
  'cancelled',
];
const STREETS = [
  'Main',
  'Oak',
  'Maple',
  'Cedar',
  'Elm',
  'Washington',
  'Lincoln',
  'Jefferson',
  'Park',
  'Lake',
  'Hill',
  'Church',
  'Market',
  'Broad',
  'Mill',
  'River',
  'Spring',
  'Union',
  'Franklin',
  'Highland',
  'Chestnut',
  'Walnut',
  'Pine',
  'Sunset',
  'Madison',
  'Jackson',
  'Monroe',
  'Adams',
  'Grant',
  'Center',
  'Prospect',
  'Liberty',
  'Forest',
  'Ridge',
];
const SUFFIXES = ['St', 'Ave', 'Blvd', 'Rd', 'Dr', 'Ln', 'Ct', 'Way', 'Pl', 'Ter'];
const OPENINGS = [
  'Resident reports',
  'Caller says there is',
  'Neighbor called about',
  'Submitted through the app:',
  'Walk-in report of',
  'Council office forwarded a complaint about',
  'Bus driver noticed',
  'Crew on site found',
  'Anonymous report of',
  'Business owner reports',
  'School crossing guard reported',
  'Follow-up on an earlier request about',
];
const PROBLEMS = [
  'a deep pothole in the right lane',
  'a streetlight that has been out for a week',
  'fresh graffiti on the retaining wall',
  'a pile of mattresses and furniture dumped on the curb',
  'a car with flat tires that has not moved in a month',
  'trash bins that were skipped on the regular pickup day',
  'a lifted sidewalk slab that people trip over',
  'a large branch hanging over the road',
  'water bubbling up from a crack in the pavement',
  'sewage smell from the drain',
  'a storm drain clogged with leaves',
  'a traffic signal stuck on flashing red',
  'a stop sign knocked down',
  'loud music from a house late at night',
  'rats running between the dumpsters',
  'a dead raccoon in the gutter',
  'broken swings at the playground',
  'unplowed snow blocking the crosswalk',
  'an old refrigerator left in the alley',
  'cars parked in the bike lane every morning',
  'tents set up along the creek path',
  'an overgrown vacant lot',
];
const DETAILS = [
  'It has been getting worse since the last rain.',
  'Cars are swerving into the oncoming lane to avoid it.',
  'This is the third time it has been reported this month.',
  'Children walk past it on the way to school.',
  'The area is very dark at night and feels unsafe.',
  'Please send a crew as soon as possible.',
  'Photos were attached through the mobile app.',
  'The caller asked for a call back once the work is scheduled.',
  'Water is pooling and freezing overnight.',
  'Several neighbors have complained about the smell.',
  'A cyclist nearly fell because of it yesterday evening.',
  "The landlord says it is the city's responsibility.",
  'It is blocking access for wheelchairs and strollers.',
  'Delivery trucks cannot get through the alley.',
  'The problem started after the utility work last week.',
  'Residents of the senior building are affected.',
  'The crew could not find it at the reported location.',
  'Temporary cones were placed but have blown over.',
  'There is a risk of flooding the basement next door.',
  'The caller is willing to meet the inspector on site.',
  'It was marked with paint but no repair followed.',
  'Reported again after the previous request was closed.',
];
const CHANNELS = ['phone', 'web', 'mobile', 'email', 'walk-in', 'council'];

/**
 * An INSERT of service requests numbered `from` to `to` (case number SR-<year>-<number>); random() is
 * volatile, so it is drawn anew for every row. Also bench/rollback.ts's writer's rows, one at a time.
 */
export function insertRequests(from: number, to: number): string {
  const description = `left(concat_ws(' ', ${pick(OPENINGS)}, ${pick(PROBLEMS)},
      'near ' || (1 + (g::bigint * 7919) % 9999)::text || ' ' || ${pick(STREETS)} || ' ' || ${pick(SUFFIXES)} || '.',
      ${Array.from({ length: 7 }, () => sentenceSql(DETAILS, STREETS, SUFFIXES)).join(', ')}), 100 + floor(random() * 301)::int)`;
  return `
    INSERT INTO service_requests (case_number, category, status, priority, address, ward, latitude, longitude,
                                  description, opened_at, updated_at, closed_at, details)
    SELECT 'SR-' || to_char(opened, 'YYYY') || '-' || lpad(g::text, 8, '0'),
           ${pick(CATEGORIES)}, status, 1 + g % 4,
           (1 + (g::bigint * 104729) % 9999)::text || ' ' || ${pick(STREETS)} || ' ' || ${pick(SUFFIXES)},
           1 + g % 15, 41.6 + random() * 0.4, -87.9 + random() * 0.4,
           ${description},
           opened, opened + interval '1 hour' * floor(random() * 400),
           CASE WHEN status IN ('closed', 'duplicate', 'cancelled') THEN opened + interval '1 hour' * (1 + floor(random() * 800)) END,
           jsonb_build_object(
             'channel', ${pick(CHANNELS)},
             'department', ${pick(DEPARTMENTS)},
             'reporter', jsonb_build_object('anonymous', random() < 0.3, 'contactId', 'C' || (g % 200000)::text),
             'slaHours', 24 * (1 + g % 5),
             'photos', floor(random() * 4)::int,
             'duplicateOf', CASE WHEN status = 'duplicate' THEN g - 1 - floor(random() * 1000)::int END,
             'tags', jsonb_build_array(${pick(CATEGORIES)}, 'ward-' || (1 + g % 15)::text))
      FROM generate_series(${from}, ${to}) AS g,
           LATERAL (SELECT timestamptz '2019-01-01' + interval '1 second' * floor(random() * 220000000) AS opened,
                           ${pick(STATUSES)} AS status
                    WHERE g > 0 OFFSET 0) AS r`; // referring to g makes it run once per row
}

const CREATE_TABLE = `
  CREATE TABLE service_requests (
    id bigserial PRIMARY KEY,
    case_number text NOT NULL,
    category text NOT NULL,
    status text NOT NULL,
    priority smallint NOT NULL,
    address text NOT NULL,
    ward smallint NOT NULL,
    latitude double precision,
    longitude double precision,
    description text NOT NULL,
    opened_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    closed_at timestamptz,
    details jsonb NOT NULL
  )`;
const CREATE_INDEXES = [
  'CREATE INDEX service_requests_status_opened ON service_requests (status, opened_at)',
  'CREATE INDEX service_requests_category ON service_requests (category)',
];

/**
 * Fills the database: pgbench's tables, then service_requests. Sets hint bits
 * and freezes (or the first dump would pay for writing them). Returns the
 * database size in bytes; warns below `minBytes`.
 */
export async function fillBenchDatabase(label: string, db: DatasetFiller, size: DatasetSize): Promise<number> {
  const started = performance.now();
  console.log(`${label}: pgbench -i -s ${size.scale} ...`);
  db.pgbenchInit(size.scale);
  console.log(`${label}: ${size.requests} service requests ...`);
  db.psql(CREATE_TABLE);
  const chunks: Array<[number, number]> = [];
  for (let from = 1; from <= size.requests; from += CHUNK_ROWS)
    chunks.push([from, Math.min(size.requests, from + CHUNK_ROWS - 1)]);
  const worker = async () => {
    for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) await db.psqlAsync(insertRequests(...chunk));
  };
  await Promise.all(Array.from({ length: PARALLEL_SESSIONS }, worker));
  // No parallel maintenance workers: a container's 64 MB /dev/shm is too small for their shared memory.
  await Promise.all(CREATE_INDEXES.map((sql) => db.psqlAsync(`SET max_parallel_maintenance_workers = 0; ${sql}`)));
  db.psql('VACUUM (FREEZE, ANALYZE, PARALLEL 0)');
  db.psql('CHECKPOINT');
  // The checkpoint leaves about a gigabyte for the kernel to write out; no timed run should pay for it.
  execFileSync('sync');
  const dbBytes = Number(db.psql(`SELECT pg_database_size('${size.database ?? 'app'}')`));
  console.log(`${label}: database is ${mb(dbBytes)} MB (filled in ${secs(since(started))} s)`);
  if (dbBytes < size.minBytes)
    console.warn(`${label}: below ${mb(size.minBytes)} MB: a smoke run, not a representative figure`);
  return dbBytes;
}

/** 1 M requests (about 650 MB with indexes) plus pgbench -s 20 (about 300 MB). */
export const DEFAULT_DATASET = { scale: 20, requests: 1_000_000, minBytes: 800 * MiB } as const;

/** The dataset's size: DEFAULT_DATASET, its scale and rows overridden by BENCH_SCALE and BENCH_REQUESTS. */
export function datasetSizeFromEnv(minRequests = 0): DatasetSize {
  return {
    ...DEFAULT_DATASET,
    scale: envInt('BENCH_SCALE', DEFAULT_DATASET.scale, 1),
    requests: envInt('BENCH_REQUESTS', DEFAULT_DATASET.requests, minRequests),
  };
}

/** How the host's tools reach database `app` of a throwaway cluster: PG* variables, the password never in argv. */
export function clusterEnv(cluster: Pick<PgCluster, 'env'>): NodeJS.ProcessEnv {
  return { ...cluster.env, PGDATABASE: 'app' };
}

/** URL mode's database: a throwaway cluster (test/fixtures/postgres.ts) with `app` filled. The caller stops it. */
export async function filledCluster(
  label: string,
  size: DatasetSize,
): Promise<{ cluster: PgCluster; env: NodeJS.ProcessEnv; dbBytes: number }> {
  const cluster = await startPgCluster();
  try {
    cluster.createDatabase('app');
    const env = clusterEnv(cluster);
    return { cluster, env, dbBytes: await fillBenchDatabase(label, urlFiller(cluster, env), size) };
  } catch (e) {
    await cluster.stop();
    throw e;
  }
}

/** Service mode's database: `app` in the `db` service of a compose sandbox (test/fixtures/compose.ts), filled. */
export async function filledSandbox(
  label: string,
  size: DatasetSize,
): Promise<{ sandbox: ComposeSandbox; dbBytes: number }> {
  const sandbox = startPgCompose({ dbName: 'app' });
  try {
    return { sandbox, dbBytes: await fillBenchDatabase(label, serviceFiller(sandbox), size) };
  } catch (e) {
    sandbox.down();
    throw e;
  }
}

/** Fills through host psql and pgbench, the connection in PG* variables (never argv). */
export function urlFiller(cluster: Pick<PgCluster, 'psql'>, env: NodeJS.ProcessEnv, database = 'app'): DatasetFiller {
  return {
    psql: (sql) => cluster.psql(database, sql),
    psqlAsync: (sql) => execFileText('psql', [...PSQL_ARGS, '-d', database, '-c', sql], { env }),
    pgbenchInit: (scale) => void run(path.join(PG_BIN, 'pgbench'), ['-i', '-s', String(scale), database], { env }),
  };
}

/** Fills through psql and pgbench inside the compose service `db` (pgbench is the host's /usr, bind-mounted). */
export function serviceFiller(
  sandbox: Pick<ComposeSandbox, 'dir' | 'project' | 'psql' | 'compose'>,
  database = 'app',
): DatasetFiller {
  const exec = ['compose', '--project-directory', sandbox.dir, '-p', sandbox.project, 'exec', '-T', 'db'];
  return {
    psql: (sql) => sandbox.psql(database, sql),
    psqlAsync: (sql) =>
      execFileText('docker', [...exec, 'psql', ...PSQL_ARGS, '-U', 'postgres', '-d', database, '-c', sql], {
        cwd: sandbox.dir,
      }),
    pgbenchInit: (scale) =>
      void sandbox.compose(['exec', '-T', 'db', 'pgbench', '-i', '-s', String(scale), '-U', 'postgres', database]),
  };
}

const PSQL_ARGS = ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1'];

function execFileText(
  cmd: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { ...options, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${cmd} failed: ${String(stderr).trim() || error.message}`));
      else resolve(String(stdout).trim());
    });
  });
}
