/**
 * How a project's containers are found: compose labels its containers with the project and service; a Swarm
 * stack labels its tasks' containers with the stack (namespace) and `<stack>_<service>`. switchyard's
 * "project" is the compose project or the stack, so both label sets are asked, and the same code reads
 * containers, health, logs and the database's container under either engine.
 */
const COMPOSE_PROJECT = 'com.docker.compose.project';
const COMPOSE_SERVICE = 'com.docker.compose.service';
export const STACK_NAMESPACE = 'com.docker.stack.namespace';
const SWARM_SERVICE = 'com.docker.swarm.service.name';

/** One label filter per engine for a service's containers (Docker ANDs the labels of one filter). */
export function serviceLabelFilters(project: string, service: string): string[][] {
  return [
    [`${COMPOSE_PROJECT}=${project}`, `${COMPOSE_SERVICE}=${service}`],
    [`${STACK_NAMESPACE}=${project}`, `${SWARM_SERVICE}=${swarmServiceName(project, service)}`],
  ];
}

/** One label filter per engine for every container of the project. */
export function projectLabelFilters(project: string): string[][] {
  return [[`${COMPOSE_PROJECT}=${project}`], [`${STACK_NAMESPACE}=${project}`]];
}

/** The project's service a container belongs to, from its labels, or undefined. */
export function serviceOfLabels(labels: Record<string, string> | undefined, project: string): string | undefined {
  if (!labels) return undefined;
  if (labels[COMPOSE_PROJECT] === project) return labels[COMPOSE_SERVICE];
  const swarm = labels[SWARM_SERVICE];
  if (labels[STACK_NAMESPACE] === project && swarm?.startsWith(`${project}_`)) return swarm.slice(project.length + 1);
  return undefined;
}

/** What `docker stack deploy` names a stack's service. */
export function swarmServiceName(stack: string, service: string): string {
  return `${stack}_${service}`;
}
