import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hasDocker, need, run } from '../fixtures/env.js';
import { deleteRegistryRepository, REGISTRY_ROOT } from '../fixtures/registry.js';

const ready = need('Docker engine', hasDocker()) && need('provisioned registry', fs.existsSync(REGISTRY_ROOT));

describe.runIf(ready)('demo down: the registry repository goes too', () => {
  it('deletes every tag of a repository and its directory, and refuses a name that is not one', async () => {
    const repository = `sytest-cleanup-${crypto.randomBytes(4).toString('hex')}/app`;
    const ref = (tag: string) => `127.0.0.1:5000/${repository}:${tag}`;
    const tar = path.join(fs.mkdtempSync('/tmp/sy-reg-'), 'empty.tar');
    run('tar', ['-cf', tar, '--files-from', '/dev/null']);
    try {
      run('docker', ['import', tar, ref('one')]);
      run('docker', ['tag', ref('one'), ref('two')]);
      for (const tag of ['one', 'two']) run('docker', ['push', '-q', ref(tag)]);
      const listed = await (await fetch(`http://127.0.0.1:5000/v2/${repository}/tags/list`)).json();
      expect((listed as { tags: string[] }).tags.sort()).toEqual(['one', 'two']);

      expect((await deleteRegistryRepository(repository)).sort()).toEqual(['one', 'two']);

      expect((await fetch(`http://127.0.0.1:5000/v2/${repository}/manifests/one`, { method: 'HEAD' })).status).toBe(
        404,
      );
      expect(
        fs.existsSync(path.join(REGISTRY_ROOT, 'docker/registry/v2/repositories', repository.split('/')[0]!)),
      ).toBe(false);
      await expect(deleteRegistryRepository('../etc')).rejects.toThrow('not a repository name');
    } finally {
      run('docker', ['rmi', '-f', ref('one'), ref('two')]);
      fs.rmSync(path.dirname(tar), { recursive: true, force: true });
    }
  });
});
