import type { DockerClient } from './client.js';
import { type ContainerFacts, readProjectContainers } from './containerFacts.js';
import { readContainerLogs } from './logs.js';
import type { Redact } from '../util/redact.js';

const MAX_HEALTH_OUTPUT = 1000;

/** The few Docker capabilities the report needs (a fake in unit tests, dockerode otherwise). */
export interface ContainerPort {
  projectContainers(project: string): Promise<ContainerFacts[]>;
  logs(containerId: string, lines: number): Promise<string[]>;
}

/** The port on dockerode: compose's labels find the project's containers; logs come demultiplexed. */
export function dockerContainerPort(docker: DockerClient, redactor: Redact): ContainerPort {
  return {
    projectContainers: (project) =>
      readProjectContainers(docker, project, { cleanOutput: (text) => cleanOutput(redactor, text) }),
    async logs(id, lines) {
      const read = await readContainerLogs(docker, id, { tail: lines, follow: false });
      const all: string[] = [];
      for await (const line of read.lines) all.push(line);
      return all.slice(-lines);
    },
  };
}

const cleanOutput = (redactor: Redact, text: string) => redactor.redact(text.trim()).slice(0, MAX_HEALTH_OUTPUT);
