import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { registryAuth } from '../../src/docker/auth.js';
import { registryHost, repositoryOf } from '../../src/docker/images.js';
import { createLogger } from '../../src/util/log.js';
import { Redactor } from '../../src/util/redact.js';

describe('registry credentials', () => {
  it('reads the host of a reference the way docker does', () => {
    expect(registryHost('ghcr.io/acme/app-backend:abc1234')).toBe('ghcr.io');
    expect(registryHost('127.0.0.1:5000/x/app@sha256:00')).toBe('127.0.0.1:5000');
    expect(registryHost('localhost/app')).toBe('localhost');
    expect(registryHost('library/postgres:15')).toBe('docker.io');
    expect(repositoryOf('127.0.0.1:5000/x/app:tag')).toBe('127.0.0.1:5000/x/app');
    expect(repositoryOf('ghcr.io/a/b@sha256:ff')).toBe('ghcr.io/a/b');
  });

  it('takes config credentials (password from the environment) and never logs the password', () => {
    const redactor = new Redactor();
    const auth = registryAuth(
      { registries: { 'ghcr.io': { username: 'bot', passwordEnv: 'GHCR_PW' } } },
      'ghcr.io/acme/app:1',
      redactor,
      { GHCR_PW: 'ghp_supersecretvalue' },
    );
    expect(auth).toEqual({ username: 'bot', password: 'ghp_supersecretvalue', serveraddress: 'ghcr.io' });
    const lines: string[] = [];
    createLogger({ redactor, write: (l) => lines.push(l) }).info('pulling', { detail: 'auth ghp_supersecretvalue' });
    expect(lines.join()).not.toContain('ghp_supersecretvalue');
    expect(() =>
      registryAuth(
        { registries: { 'ghcr.io': { username: 'bot', passwordEnv: 'MISSING_PW' } } },
        'ghcr.io/a/b:1',
        new Redactor(),
        {},
      ),
    ).toThrow('registries.ghcr.io.passwordEnv names MISSING_PW, which is not set');
  });

  it("falls back to docker's own config.json, and to no credentials", () => {
    const redactor = new Redactor();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-dockercfg-'));
    try {
      const auth = Buffer.from('robot:dockercfg-secret-1').toString('base64');
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: { 'registry.example.org': { auth } } }));
      expect(registryAuth({ registries: {} }, 'registry.example.org/app:1', redactor, { DOCKER_CONFIG: dir })).toEqual({
        username: 'robot',
        password: 'dockercfg-secret-1',
        serveraddress: 'registry.example.org',
      });
      expect(redactor.redact('auth dockercfg-secret-1')).toBe('auth ***'); // registered with the redactor it was given
      expect(registryAuth({ registries: {} }, 'ghcr.io/app:1', new Redactor(), { DOCKER_CONFIG: dir })).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
