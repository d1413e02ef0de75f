import path from 'node:path';
import type { Config } from '../config/index.js';
import { failed } from '../errors.js';
import { collect, spawnHost } from '../util/process.js';

/** `docker compose` arguments selecting this project's files, in the configured order. */
export function composeBaseArgs(project: Config['project']): string[] {
  const args = ['compose', '--project-directory', project.dir];
  for (const file of project.composeFiles) args.push('--file', path.join(project.dir, file));
  if (project.name) args.push('--project-name', project.name);
  return args;
}

/** Runs `docker compose` with the project's files; never through a shell. */
export async function runCompose(project: Config['project'], args: readonly string[]) {
  return collect(spawnHost('docker', [...composeBaseArgs(project), ...args], { cwd: project.dir }));
}

const resolved = new Map<string, string>();

/**
 * The compose project name as compose itself computes it (config, .env,
 * COMPOSE_PROJECT_NAME, top-level `name:` or the directory), so that
 * containers are found by the same labels compose gave them.
 */
export async function composeProjectName(project: Config['project']): Promise<string> {
  if (project.name) return project.name;
  const key = [project.dir, ...project.composeFiles].join('\0');
  const cached = resolved.get(key);
  if (cached) return cached;
  const result = await runCompose(project, ['config', '--format', 'json']);
  if (result.code !== 0) {
    throw failed(`docker compose cannot read the project in ${project.dir}: ${lastLine(result.stderr)}`);
  }
  const name = (JSON.parse(result.stdout) as { name?: string }).name;
  if (!name) throw failed(`docker compose reported no project name for ${project.dir}; set project.name`);
  resolved.set(key, name);
  return name;
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}
