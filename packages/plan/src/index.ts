/** The plan shared by the operator and the local supervisor. Pure: no I/O, no environment. */
export {
  namespaceOf,
  planClient,
  type CameraPlan,
  type ClientPlan,
  type DetectorConfig,
  type ModelPlan,
  type ShardPlan,
} from './plan.js';
