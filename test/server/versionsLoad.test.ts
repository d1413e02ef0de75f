import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../fixtures/cli.js';
import { freePort, hasDocker, need, untilHealthy } from '../fixtures/env.js';
import { linearHistory } from '../versions/gitRepo.js';

const TOKEN = 'versions-load-test-token-0123456789';
const CONCURRENT = 200;
/**
 * /api/health's answer while the listings run: 10 s when every request made its own listing. Generous
 * for a 2-core machine shared with other work (load 25: 2.9 s measured); idle, it answers in milliseconds.
 */
const HEALTH_BOUND_MS = 4_000;

/** `n` concurrent GET /api/system/versions from a child process: each answer's status, version count and newest sha. */
async function load(base: string, n: number): Promise<{ statuses: number[]; counts: number[]; newest: string[] }> {
  const script = `
    const get = () => fetch(${JSON.stringify(`${base}/api/system/versions`)}, { headers: { authorization: 'Bearer ${TOKEN}' } })
      .then(async (r) => { const body = await r.json(); return [r.status, body.versions?.length, body.versions?.[0]?.sha]; });
    Promise.all(Array.from({ length: ${n} }, get)).then((a) => console.log(JSON.stringify({
      statuses: a.map((x) => x[0]), counts: a.map((x) => x[1]), newest: a.map((x) => x[2]) })));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c));
  await new Promise((resolve) => child.once('close', resolve));
  return JSON.parse(out);
}

/** GET on a connection of its own (fetch's pool is busy with the listings), body read. */
function healthStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      })
      .once('error', reject);
  });
}

/**
 * The real daemon under 200 concurrent GET /api/system/versions (30 commits of git history, one
 * service whose images the engine looks up in the loopback registry): every request gets the list,
 * and the event loop stays free for /api/health meanwhile.
 */
describe.runIf(need('Docker engine', hasDocker()))('the daemon under 200 concurrent version listings', () => {
  let repo: ReturnType<typeof linearHistory>;
  let dir: string;
  let daemon: ChildProcess | undefined;
  let base: string;

  beforeAll(async () => {
    repo = linearHistory(30);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-versions-load-'));
    const port = await freePort();
    const config = path.join(dir, 'config.yaml');
    fs.writeFileSync(
      config,
      [
        `project: { dir: ${repo.dir} }`,
        'database: { url: "postgres://app@127.0.0.1:1/app" }', // never reached: no backup runs here
        `stateDir: ${dir}/state`,
        `backups: { dir: ${dir}/backups }`,
        `server: { listen: "127.0.0.1:${port}" }`,
        'services: { backend: { image: 127.0.0.1:5000/sy-versions-load/backend } }',
      ].join('\n'),
    );
    base = `http://127.0.0.1:${port}`;
    daemon = spawn(process.execPath, [CLI, 'serve', '--config', config], {
      env: { ...process.env, SWITCHYARD_ADMIN_TOKEN: TOKEN },
      stdio: 'ignore',
    });
    await untilHealthy(base);
  });
  afterAll(() => {
    daemon?.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    repo?.cleanup();
  });

  it('answers every request, and /api/health within the bound meanwhile', async () => {
    // The first listing loads dockerode and simple-git (a one-time pause of ~0.25 s on an idle machine): not measured.
    expect(await load(base, 1)).toMatchObject({ statuses: [200] });
    // The 200 requests come from a process of their own: their answers' parsing is not in this one's timings.
    const listings = load(base, CONCURRENT);
    let done = false;
    void listings.finally(() => (done = true));
    const health: number[] = [];
    while (!done) {
      const started = performance.now();
      expect(await healthStatus(`${base}/api/health`)).toBe(200);
      health.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, 100));
    }
    const { statuses, counts, newest } = await listings;

    expect(statuses).toEqual(Array(CONCURRENT).fill(200));
    expect(counts).toEqual(Array(CONCURRENT).fill(30));
    expect(newest).toEqual(Array(CONCURRENT).fill(repo.shas.at(-1)));
    expect(health.length).toBeGreaterThan(0);
    expect(Math.max(...health), `/api/health answered in ${health.map(Math.round).join(', ')} ms`).toBeLessThan(
      HEALTH_BOUND_MS,
    );
  });
});
