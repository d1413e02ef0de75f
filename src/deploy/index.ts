export type { DeployRequest, StartedDeployment } from './pipeline.js';
export { currentStatus, appStateWithoutDocker, type CurrentStatus, type ServiceStatus } from './status.js';
export type { AppState, AppAction, AppHealth } from './appState.js';
export { DeploymentEvents, type DeploymentEvent } from '../ops/events.js';
export { followDeployment, type FollowEvent, type FollowSources } from '../ops/follow.js';
export type { RollbackRequest } from './rollback.js';
export { planDeploy, type DeployPlan, type PlanNote } from './plan.js';
export {
  planRollback,
  rollbackBlockers,
  ROLLBACK_MODES,
  type RollbackMode,
  type RollbackPlan,
} from './rollbackPlan.js';
export type { RecoveredOperation } from './recover.js';
export { StopSignal, StoppedAtBoundary } from '../ops/shutdown.js';
