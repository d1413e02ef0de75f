import { readComposeServices } from '../compose/project.js';
import type { Context } from '../context.js';
import { serviceContainers } from '../docker/images.js';
import { readContainerLogs } from '../docker/logs.js';
import type { LogsPorts } from './containerLogs.js';

/** The logs' ports on a Context: compose's own list of services, containers by compose's labels. */
export function contextLogsPorts(ctx: Pick<Context, 'config' | 'docker' | 'projectName' | 'redactor'>): LogsPorts {
  return {
    services: () => readComposeServices(ctx.config),
    containers: async (service) => serviceContainers(ctx.docker(), await ctx.projectName(), service),
    read: (id, options) => readContainerLogs(ctx.docker(), id, options),
    redactor: ctx.redactor,
  };
}
