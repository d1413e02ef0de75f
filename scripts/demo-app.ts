/**
 * The demo's sample app: the deploy tests' app (a compose project in the seed
 * layout, PostgreSQL with sample data, versions v1.0.0, v2.0.0 and a broken
 * v3.0.0 whose healthcheck fails; Caddy in front) built once under a fixed directory and kept.
 *   node dist/scripts/demo-app.js up HOME    create (or find) it, print its description as JSON
 *   node dist/scripts/demo-app.js down HOME  stop it and remove everything it made: containers, the
 *     database's named volume, the network, the app images, their registry repository, and the
 *     PostgreSQL image (unless something else still uses it)
 */
import fs from 'node:fs';
import path from 'node:path';
import { createSampleApp } from '../test/fixtures/sampleApp.js';
import { PG_IMAGE } from '../test/fixtures/compose.js';
import { run } from '../test/fixtures/env.js';
import { deleteRegistryRepository } from '../test/fixtures/registry.js';

const [command, home] = process.argv.slice(2);
if (!home || !path.isAbsolute(home) || (command !== 'up' && command !== 'down')) {
  process.stderr.write('usage: demo-app.js up|down ABSOLUTE_HOME\n');
  process.exit(64);
}
const appDir = path.join(home, 'app');
const described = path.join(home, 'app.json');

interface Described {
  dir: string;
  imageRepo: string;
  httpPort: number;
  composeFiles: string[];
  commits: Record<string, string>;
}

const compose = (d: Described, args: string[]) =>
  run(
    'docker',
    ['compose', '--project-directory', d.dir, ...d.composeFiles.flatMap((f) => ['-f', path.join(d.dir, f)]), ...args],
    { cwd: d.dir },
  );

if (command === 'up') {
  let d: Described;
  if (fs.existsSync(described)) {
    d = JSON.parse(fs.readFileSync(described, 'utf8')) as Described;
  } else {
    fs.rmSync(appDir, { recursive: true, force: true });
    // The database in a named volume, as production keeps it: it survives `docker compose down` (not `down -v`).
    const app = createSampleApp({
      versions: ['v1', 'v2', 'v3'],
      id: 'demo',
      dir: appDir,
      httpPort: 8091,
      dbVolume: 'pgdata',
      proxy: true, // Caddy in front, as the seed app has: the app is reached through it
    });
    d = {
      dir: app.dir,
      imageRepo: app.imageRepo,
      httpPort: app.httpPort,
      composeFiles: app.composeFiles,
      commits: app.commits,
    };
    app.startByHand(); // as an operator ran it before switchyard: v1 from :latest
    fs.writeFileSync(described, JSON.stringify(d, null, 2));
  }
  compose(d, ['up', '-d', '--no-build', '--wait', 'db', 'redis']);
  process.stdout.write(`${JSON.stringify(d)}\n`);
} else if (fs.existsSync(described)) {
  const d = JSON.parse(fs.readFileSync(described, 'utf8')) as Described;
  try {
    compose(d, ['down', '-v', '--remove-orphans', '-t', '1']);
  } catch {
    /* already gone */
  }
  const images = run('docker', ['images', '-q', d.imageRepo]).trim().split('\n').filter(Boolean);
  if (images.length) run('docker', ['rmi', '-f', ...new Set(images)]);
  const [registry, ...repository] = d.imageRepo.split('/');
  const tags = await deleteRegistryRepository(repository.join('/'), registry);
  process.stdout.write(`removed ${d.imageRepo} (${tags.length} tags) from the registry\n`);
  try {
    run('docker', ['rmi', PG_IMAGE]); // not forced: another project (the tests) may still use it
    process.stdout.write(`removed the image ${PG_IMAGE}\n`);
  } catch {
    process.stdout.write(`kept the image ${PG_IMAGE}: something else still uses it\n`);
  }
}
