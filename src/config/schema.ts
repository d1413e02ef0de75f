import path from 'node:path';
import { Cron } from 'croner';
import { z } from 'zod';
import { ROLES } from '../domain/roles.js';
import { parsePostgresUrl } from './databaseUrl.js';

const absolutePath = z
  .string()
  .min(1)
  .refine((p) => path.isAbsolute(p), 'must be an absolute path')
  .transform((p) => path.normalize(p));

const relativeFile = z
  .string()
  .min(1)
  .refine(
    (p) => !path.isAbsolute(p) && !p.split(/[\\/]/).includes('..'),
    'must be a path inside project.dir (no "..")',
  );

/** Where the app keeps its migrations, as git pathspec globs: shown before a deploy when they change. */
export const DEFAULT_MIGRATION_PATHS = ['**/migrations/**', '**/alembic/versions/**'] as const;
const migrationGlob = z
  .string()
  .regex(/^[A-Za-z0-9_.*?[\]/-]{1,200}$/, 'a glob of letters, digits, "/", "*", "?", "[]", ".", "-" and "_"')
  .refine(
    (g) => !g.startsWith('/') && !g.startsWith('-') && !g.split('/').includes('..'),
    'a relative glob inside project.dir (no "..")',
  );

/** A compose project name, as compose itself accepts it. */
const composeName = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, "-" and "_" only');

/** Names that end up in commands and file names stay boring on purpose. */
const identifier = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'letters, digits, ".", "-" and "_" only');

const imageRepository = z
  .string()
  .regex(
    /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/,
    'an image repository without tag, e.g. ghcr.io/acme/app-backend',
  )
  .refine((s) => !s.includes('@'), 'no digest here');

const tagTemplate = z
  .string()
  .regex(
    /^([A-Za-z0-9_.-]|\{sha7\}|\{sha\}|\{tag\})+$/,
    'a tag template using {sha7}, {sha}, {tag} and tag characters',
  );

/** README's cron: 5 fields, or 6 with seconds first. croner would also take a 7th (years) and "@daily". */
const cron = z
  .string()
  .refine((expr) => [5, 6].includes(expr.trim().split(/\s+/).length), {
    message: 'a cron expression of 5 fields, or 6 with seconds',
    abort: true,
  })
  .refine((expr) => {
    try {
      new Cron(expr, { paused: true });
      return true;
    } catch {
      return false;
    }
  }, 'not a valid cron expression');

const listen = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'host:port, e.g. 127.0.0.1:8090')
  .refine((s) => Number(s.slice(s.lastIndexOf(':') + 1)) <= 65535, 'port out of range');

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name');

const httpUrl = z.string().refine((s) => {
  try {
    return ['http:', 'https:'].includes(new URL(s).protocol);
  } catch {
    return false;
  }
}, 'an http(s) URL');

const databaseUrl = z.string().superRefine((s, ctx) => {
  try {
    parsePostgresUrl(s);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
});

const database = z
  .object({
    service: identifier.optional(),
    user: identifier.default('postgres'),
    name: identifier.optional(),
    passwordEnv: envName.optional(),
    clientPrograms: z.enum(['auto', 'container']).optional(),
    url: databaseUrl.optional(),
  })
  .strict()
  .superRefine((db, ctx) => {
    if (Boolean(db.service) === Boolean(db.url)) {
      ctx.addIssue({ code: 'custom', message: 'set exactly one of database.service or database.url' });
    }
    if (db.service && !db.name)
      ctx.addIssue({ code: 'custom', path: ['name'], message: 'required with database.service' });
    if (db.url && db.name)
      ctx.addIssue({ code: 'custom', path: ['name'], message: 'comes from the URL; do not set it with database.url' });
    if (db.url && db.clientPrograms)
      ctx.addIssue({
        code: 'custom',
        path: ['clientPrograms'],
        message: "only with database.service: URL mode always runs this host's client programs",
      });
  })
  .transform((db) =>
    db.url
      ? { mode: 'url' as const, url: db.url, name: parsePostgresUrl(db.url).database }
      : {
          mode: 'service' as const,
          service: db.service!,
          user: db.user,
          name: db.name!,
          passwordEnv: db.passwordEnv,
          clientPrograms: db.clientPrograms ?? ('auto' as const),
        },
  );

/** An age X25519 recipient (public key): bech32, lowercase. */
const ageRecipient = z
  .string()
  .regex(/^age1[02-9ac-hj-np-z]{58}$/, 'an age X25519 public key (age1…, from age-keygen)');

const backupReason = z.enum(['pre-deploy', 'scheduled', 'manual', 'pre-rollback']);

/** Off-site copies: where (S3-compatible), encrypted to whom, kept how long, and which backups. */
const offsite = z
  .object({
    s3: z
      .object({
        bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'),
        prefix: z
          .string()
          .regex(/^([A-Za-z0-9_.-]+\/)*$/, 'empty, or folder names each ending in "/", e.g. prod/')
          .refine((p) => !p.split('/').includes('..') && !p.split('/').includes('.'), 'no "." or ".." folders')
          .default(''),
        region: z
          .string()
          .regex(/^[a-z0-9-]{2,32}$/, 'a region name, e.g. us-east-1')
          .default('us-east-1'),
        endpoint: httpUrl.optional(),
        forcePathStyle: z.boolean().default(false),
        accessKeyIdEnv: envName,
        secretAccessKeyEnv: envName,
      })
      .strict(),
    encrypt: z
      .object({ recipients: z.array(ageRecipient).default([]), allowUnencrypted: z.boolean().default(false) })
      .strict()
      .default({ recipients: [], allowUnencrypted: false })
      .refine(
        (e) => e.recipients.length > 0 || e.allowUnencrypted,
        'set at least one age recipient (or allowUnencrypted: true)',
      ),
    keep: z
      .object({ last: z.number().int().min(1).default(30), days: z.number().int().min(0).default(2555) })
      .strict()
      .default({ last: 30, days: 2555 }),
    reasons: z.array(backupReason).min(1).default(['pre-deploy', 'scheduled', 'manual', 'pre-rollback']),
    // The secret manifests are signed with (HMAC-SHA256): on the host and in the recovery kit, never in the bucket.
    signingKeyEnv: envName.optional(),
    // S3 Object Lock on every copy, retained for keep.days (the bucket must have Object Lock enabled).
    objectLock: z.enum(['governance', 'compliance']).optional(),
  })
  .strict()
  .refine((o) => !o.objectLock || o.keep.days > 0, {
    message: 'objectLock retains each copy for keep.days: set keep.days to 1 or more',
    path: ['objectLock'],
  });

/**
 * How new backups are compressed (src/backup/format.ts): zstd on the host (levels 1-19, `threads` 0 =
 * all cores), gzip = pg_dump's own zlib (levels 1-9, default 6 as pg_dump's), or none.
 */
const compression = z
  .object({
    method: z.enum(['zstd', 'gzip', 'none']).default('zstd'),
    level: z.number().int().min(1).max(19).optional(),
    threads: z.number().int().min(0).max(256).default(0),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.method === 'gzip' && c.level !== undefined && c.level > 9)
      ctx.addIssue({ code: 'custom', path: ['level'], message: 'gzip levels are 1-9' });
    if (c.method === 'none' && c.level !== undefined)
      ctx.addIssue({ code: 'custom', path: ['level'], message: 'has no meaning with method none' });
  })
  .transform((c) => ({
    method: c.method,
    level: c.level ?? (c.method === 'gzip' ? 6 : c.method === 'zstd' ? 3 : 0),
    threads: c.threads,
  }));
const DEFAULT_COMPRESSION = { method: 'zstd' as const, level: 3, threads: 0 };

export const configSchema = z
  .object({
    project: z
      .object({
        dir: absolutePath,
        composeFiles: z.array(relativeFile).min(1).default(['docker-compose.yml']),
        name: composeName.optional(),
        // compose: `docker compose up` on this host; swarm: `docker stack deploy` of project.stack (src/swarm).
        engine: z.enum(['compose', 'swarm']).default('compose'),
        stack: composeName.optional(),
        migrationPaths: z
          .array(migrationGlob)
          .min(1)
          .default([...DEFAULT_MIGRATION_PATHS]),
        appUrl: httpUrl.optional(),
      })
      .strict()
      .superRefine((p, ctx) => {
        if (p.engine === 'swarm' && !p.stack)
          ctx.addIssue({ code: 'custom', path: ['stack'], message: 'required with project.engine: swarm' });
        if (p.engine === 'compose' && p.stack)
          ctx.addIssue({ code: 'custom', path: ['stack'], message: 'only with project.engine: swarm' });
      }),
    services: z
      .record(
        identifier,
        z
          .object({
            image: imageRepository,
            tag: tagTemplate.default('{sha7}'),
            // How its container is replaced (src/compose/strategy.ts): auto = start-first where it can work.
            strategy: z.enum(['auto', 'start-first', 'stop-first']).default('auto'),
          })
          .strict(),
      )
      .default({}),
    database,
    backups: z
      .object({
        dir: absolutePath.optional(),
        schedule: cron.optional(),
        keep: z
          .object({ last: z.number().int().min(1).default(14), days: z.number().int().min(0).default(30) })
          .strict()
          .default({ last: 14, days: 30 }),
        compression: compression.default(DEFAULT_COMPRESSION),
      })
      .strict()
      .default({ keep: { last: 14, days: 30 }, compression: DEFAULT_COMPRESSION }),
    stateDir: absolutePath.default('/var/lib/switchyard'),
    server: z
      .object({
        listen: listen.default('127.0.0.1:8090'),
        tokens: z
          .array(
            z
              .object({
                name: identifier,
                sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a hex sha256'),
                role: z.enum(ROLES),
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .default({ listen: '127.0.0.1:8090', tokens: [] }),
    github: z
      .object({
        repo: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'owner/name'),
        tokenEnv: envName.default('GITHUB_TOKEN'),
        apiUrl: httpUrl.optional(),
      })
      .strict()
      .optional(),
    registries: z
      .record(
        z.string().regex(/^[A-Za-z0-9.-]+(:[0-9]+)?$/, 'a registry host, e.g. ghcr.io'),
        z.object({ username: z.string().min(1), passwordEnv: envName }).strict(),
      )
      .default({}),
    deploy: z
      .object({
        restoreDatabase: z.enum(['auto', 'always', 'never']).default('auto'),
        allowWithoutBackup: z.boolean().default(false),
        allowDirtyWorkTree: z.boolean().default(false),
        timeoutSeconds: z.number().int().min(5).max(3600).default(300),
        keepImagesFor: z.number().int().min(1).max(100).default(5),
      })
      .strict()
      .default({
        restoreDatabase: 'auto',
        allowWithoutBackup: false,
        allowDirtyWorkTree: false,
        timeoutSeconds: 300,
        keepImagesFor: 5,
      }),
    rollback: z
      .object({
        stopServices: z.array(identifier).min(1).optional(),
        carryOver: z.enum(['inserts', 'none']).default('inserts'),
      })
      .strict()
      .default({ carryOver: 'inserts' }),
    health: z
      .object({
        url: httpUrl.optional(),
        timeoutSeconds: z.number().int().min(1).max(3600).default(60),
        // A version is healthy after this many healthy probes in a row, the first and last windowSeconds apart.
        successes: z.number().int().min(1).max(100).default(5),
        windowSeconds: z.number().int().min(0).max(3600).default(10),
      })
      .strict()
      .refine((h) => h.windowSeconds < h.timeoutSeconds, {
        message: 'must be shorter than health.timeoutSeconds',
        path: ['windowSeconds'],
      })
      .default({ timeoutSeconds: 60, successes: 5, windowSeconds: 10 }),
    notify: z
      .object({
        webhooks: z
          .array(
            z
              .object({
                url: httpUrl,
                format: z.enum(['generic', 'slack', 'discord']).default('generic'),
                events: z
                  .array(
                    z.enum([
                      'deploy',
                      'rollback',
                      'backup',
                      'drill',
                      'backup-stale',
                      'restore',
                      'offsite',
                      'offsite-stale',
                    ]),
                  )
                  .min(1)
                  .optional(),
                onlyFailures: z.boolean().default(false),
              })
              .strict(),
          )
          .default([]),
        timeoutSeconds: z.number().int().min(1).max(60).default(5),
        retries: z.number().int().min(0).max(10).default(3),
      })
      .strict()
      .default({ webhooks: [], timeoutSeconds: 5, retries: 3 }),
    offsite: offsite.optional(),
    log: z
      .object({ level: z.enum(['debug', 'info', 'warn', 'error']).default('info') })
      .strict()
      .default({ level: 'info' }),
  })
  .strict()
  .transform((c) => ({
    ...c,
    // The runbook's /project/backups is simply "backups" inside the project.
    backups: { ...c.backups, dir: c.backups.dir ?? path.join(c.project.dir, 'backups') },
  }));

export type Config = z.output<typeof configSchema>;
export type DatabaseConfig = Config['database'];
export type OffsiteConfig = NonNullable<Config['offsite']>;
