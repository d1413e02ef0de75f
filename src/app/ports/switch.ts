import { readComposeModel, streamCompose } from '../../compose/project.js';
import { managedStrategies } from '../../compose/strategy.js';
import type { SwitchPorts } from '../../compose/switch.js';
import type { Runtime } from '../runtime.js';

/** The switch's ports from a Runtime: its compose project, engine and managed services (with their strategies). */
export function switchPorts(ctx: Runtime): SwitchPorts {
  const config = ctx.config;
  return {
    readModel: () => readComposeModel(config, Object.keys(config.services)),
    compose: (args, onLine) => streamCompose(config, args, onLine),
    docker: () => ctx.docker(),
    projectName: () => ctx.projectName(),
    managed: managedStrategies(config.services),
    timeoutSeconds: config.deploy.timeoutSeconds,
    faultPoint: (name) => ctx.shutdown.faultPoint(name),
  };
}
