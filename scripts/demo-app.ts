/**
 * The demo's sample app: the deploy tests' app (a compose project in the seed
 * layout, PostgreSQL with sample data, versions v1.0.0, v2.0.0 and a broken
 * v3.0.0 whose healthcheck fails) built once under a fixed directory and kept.
 *   node dist/scripts/demo-app.js up HOME    create (or find) it, print its description as JSON
 *   node dist/scripts/demo-app.js down HOME  stop it and remove its containers and images
 */
import fs from 'node:fs';
import path from 'node:path';
import { createSampleApp } from '../test/fixtures/sampleApp.js';
import { run } from '../test/fixtures/env.js';

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
  run('docker', ['compose', '--project-directory', d.dir, ...d.composeFiles.flatMap((f) => ['-f', path.join(d.dir, f)]), ...args], { cwd: d.dir });

if (command === 'up') {
  let d: Described;
  if (fs.existsSync(described)) {
    d = JSON.parse(fs.readFileSync(described, 'utf8')) as Described;
  } else {
    fs.rmSync(appDir, { recursive: true, force: true });
    const app = createSampleApp({ versions: ['v1', 'v2', 'v3'], id: 'demo', dir: appDir, httpPort: 8091 });
    d = { dir: app.dir, imageRepo: app.imageRepo, httpPort: app.httpPort, composeFiles: app.composeFiles, commits: app.commits };
    app.startByHand(); // as an operator ran it before switchyard: v1 from :latest
    fs.writeFileSync(described, JSON.stringify(d, null, 2));
  }
  compose(d, ['up', '-d', '--no-build', '--wait', 'db', 'redis']);
  process.stdout.write(JSON.stringify(d) + '\n');
} else if (fs.existsSync(described)) {
  const d = JSON.parse(fs.readFileSync(described, 'utf8')) as Described;
  try {
    compose(d, ['down', '-v', '--remove-orphans', '-t', '1']);
  } catch {
    /* already gone */
  }
  const images = run('docker', ['images', '-q', d.imageRepo]).trim().split('\n').filter(Boolean);
  if (images.length) run('docker', ['rmi', '-f', ...new Set(images)]);
}
