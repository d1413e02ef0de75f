import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { stackFileNotes } from '../../src/swarm/stack.js';
import { hasCompose, need } from '../fixtures/env.js';

const ready = need('docker compose v2', hasCompose());

/** `docker compose config` renders without an engine: the plan's stack-file notes from real compose output. */
describe.runIf(ready)('stackFileNotes (what the deploy plan says of the stack file)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-stack-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('names each dropped key and a managed service that must update stop-first', async () => {
    fs.writeFileSync(
      path.join(dir, 'docker-compose.yml'),
      `services:
  backend:
    image: r.example/app:latest
    container_name: shop-backend
    ports: [{ target: 80, published: 8080, mode: host }]
    depends_on: [db]
  db:
    image: postgres:15
    restart: always
`,
    );
    const config = parseConfig(
      `project: { dir: ${dir}, engine: swarm, stack: shop }\ndatabase: { service: db, name: app }\nstateDir: ${dir}/state\nservices: { backend: { image: r.example/app } }\n`,
    );
    const notes = await stackFileNotes(config);
    expect(notes.map((n) => n.code)).toContain('swarm-dropped');
    expect(notes.map((n) => n.reason)).toEqual(
      expect.arrayContaining([
        'the stack file drops backend.container_name: Swarm names the tasks',
        'the stack file drops db.restart: Swarm restarts tasks by deploy.restart_policy',
        'backend publishes a host-mode port: its tasks are replaced stop-first (a short outage)',
      ]),
    );
  });

  it('a file compose cannot read is one note, not a failed plan', async () => {
    fs.writeFileSync(path.join(dir, 'docker-compose.yml'), 'services: [not, a, map]\n');
    const config = parseConfig(
      `project: { dir: ${dir}, engine: swarm, stack: shop }\ndatabase: { service: db, name: app }\nstateDir: ${dir}/state\n`,
    );
    const [note] = await stackFileNotes(config);
    expect(note?.code).toBe('swarm-render');
    expect(note?.reason).toMatch(/docker compose cannot render the project for the stack/);
  });
});
