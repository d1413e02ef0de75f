import { readComposeServices } from '../../compose/project.js';
import type { Runtime } from '../runtime.js';
import { serviceContainers } from '../../docker/images.js';
import { readContainerLogs } from '../../docker/logs.js';
import type { LogsPorts } from '../../logs/containerLogs.js';

/** The logs' ports on a Runtime: compose's own list of services, containers by compose's labels. */
export function contextLogsPorts(ctx: Pick<Runtime, 'config' | 'docker' | 'projectName' | 'redactor'>): LogsPorts {
  return {
    services: () => readComposeServices(ctx.config),
    containers: async (service) => serviceContainers(ctx.docker(), await ctx.projectName(), service),
    read: (id, options) => readContainerLogs(ctx.docker(), id, options),
    redactor: ctx.redactor,
  };
}
