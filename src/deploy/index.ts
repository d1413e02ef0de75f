export { startDeploy, deploy, type DeployRequest, type StartedDeployment } from './pipeline.js';
export { currentStatus, type CurrentStatus, type ServiceStatus } from './status.js';
export { DeploymentEvents, type DeploymentEvent } from './events.js';
export { followDeployment, type FollowEvent, type FollowSources } from './follow.js';
export { startRollback, type RollbackRequest } from './rollback.js';
export { planDeploy, type DeployPlan, type PlanNote } from './plan.js';
export {
  planRollback,
  rollbackBlockers,
  ROLLBACK_MODES,
  type RollbackMode,
  type RollbackPlan,
} from './rollbackPlan.js';
export { recoverInterruptedOperations, type RecoveredOperation } from './recover.js';
export { StopSignal, StoppedAtBoundary } from './shutdown.js';
