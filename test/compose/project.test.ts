import { describe, expect, it } from 'vitest';
import { type ComposeConfig, projectNameMemo } from '../../src/compose/project.js';

const config = (dir: string, name?: string): ComposeConfig => ({
  project: { dir, composeFiles: ['compose.yml'], engine: 'compose', migrationPaths: [], ...(name ? { name } : {}) },
  stateDir: '/nonexistent',
});

/** A reader standing in for `docker compose config`: counts its calls, names the project after the directory. */
function fakeReader(fail = false) {
  const calls: string[] = [];
  const read = async (c: ComposeConfig) => {
    calls.push(c.project.dir);
    if (fail) throw new Error('compose is not there');
    return `name-of-${c.project.dir.split('/').pop()}`;
  };
  return { calls, read };
}

describe('projectNameMemo', () => {
  it('asks compose once per project for one owner', async () => {
    const reader = fakeReader();
    const names = projectNameMemo(reader.read);
    expect(await names(config('/srv/a'))).toBe('name-of-a');
    expect(await names(config('/srv/a'))).toBe('name-of-a');
    expect(await names(config('/srv/b'))).toBe('name-of-b'); // a reloaded config that moved the project asks again
    expect(reader.calls).toEqual(['/srv/a', '/srv/b']);
  });

  it('two owners (two Contexts in one process) do not share their cache', async () => {
    const first = fakeReader();
    const second = fakeReader();
    await projectNameMemo(first.read)(config('/srv/a'));
    await projectNameMemo(second.read)(config('/srv/a'));
    expect(first.calls).toEqual(['/srv/a']);
    expect(second.calls).toEqual(['/srv/a']);
  });

  it('a configured name is used as it is, and a failure is not remembered', async () => {
    const failing = fakeReader(true);
    const names = projectNameMemo(failing.read);
    expect(await names(config('/srv/a', 'explicit'))).toBe('explicit');
    await expect(names(config('/srv/a'))).rejects.toThrow(/compose is not there/);
    await expect(names(config('/srv/a'))).rejects.toThrow(/compose is not there/);
    expect(failing.calls).toEqual(['/srv/a', '/srv/a']);
  });

  it('under Swarm the stack is the project, compose not asked', async () => {
    const reader = fakeReader();
    const swarm = config('/srv/a', 'compose-name');
    swarm.project = { ...swarm.project, engine: 'swarm', stack: 'shop' };
    expect(await projectNameMemo(reader.read)(swarm)).toBe('shop');
    expect(reader.calls).toEqual([]);
  });
});
