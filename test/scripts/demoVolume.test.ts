import { describe, expect, it } from 'vitest';
import { hasCompose, hasDocker, need, run } from '../fixtures/env.js';
import { createSampleApp } from '../fixtures/sampleApp.js';

const ready = need('Docker engine', hasDocker()) && need('docker compose v2', hasCompose());

describe.runIf(ready)("the demo's database lives in a named volume", () => {
  it('keeps its rows across `compose down` and up, and `down -v` removes the volume', () => {
    const app = createSampleApp({ versions: ['v1'], dbVolume: 'pgdata' });
    const volume = `${app.project}_pgdata`;
    try {
      app.startByHand();
      app.psql(`INSERT INTO requests (title) VALUES ('kept in the volume')`);
      app.compose(['down', '-t', '1']); // containers gone, volume kept
      expect(run('docker', ['volume', 'ls', '-q', '--filter', `name=${volume}`]).trim()).toBe(volume);
      app.startByHand();
      expect(app.psql(`SELECT count(*) FROM requests WHERE title = 'kept in the volume'`)).toBe('1');
    } finally {
      app.cleanup(); // compose down -v
    }
    expect(run('docker', ['volume', 'ls', '-q', '--filter', `name=${volume}`]).trim()).toBe('');
  });
});
