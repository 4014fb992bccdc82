/** The operator's building blocks. (The reconciler and `main.ts` arrive with issue 4.) */
export {
  desired,
  CLIENT_LABEL,
  ROLLOUT_ANNOTATION,
  SHARD_LABEL,
  type ClientInput,
  type KubeObject,
} from './desired/desired.js';
export { multiplyQuantity } from './desired/quantity.js';
export { DEFAULT_SETTINGS, type OperatorSettings } from './desired/settings.js';
