/** The plan shared by the operator and the local supervisor. Pure: no I/O, no environment. */
export { parseDetectorConfig, type DetectorConfigCheck } from './detector-config.js';
export {
  namespaceOf,
  planClient,
  type CameraPlan,
  type ClientPlan,
  type DetectorConfig,
  type ModelPlan,
  type ShardPlan,
} from './plan.js';
