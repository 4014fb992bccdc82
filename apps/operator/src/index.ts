/** The Vigie operator: each Client becomes an isolated, monitored tenant of detector workloads. */
export {
  desired,
  CLIENT_LABEL,
  INGEST_TOKEN_SECRET,
  MANAGED_BY,
  NO_MONITORING,
  NOTHING_OBSERVED,
  ROLLOUT_ANNOTATION,
  SHARD_LABEL,
  SPEC_HASH_ANNOTATION,
  type ClientInput,
  type KubeObject,
  type MonitoringApis,
  type ObservedCluster,
} from './desired/desired.js';
export { multiplyQuantity } from './desired/quantity.js';
export {
  DEFAULT_SETTINGS,
  type ApiServerEndpoint,
  type OperatorSettings,
} from './desired/settings.js';
export { readSettings, type EnvSettings } from './env.js';
export { KubeApiError, KubeClient } from './kube/client.js';
export {
  fromKubeconfigFile,
  inCluster,
  loadConnection,
  type Connection,
} from './kube/connection.js';
export { TYPES, collectionPath, objectPath, type ResourceType } from './kube/resources.js';
export { startOperator, type Operator, type OperatorOptions } from './operator.js';
export { computeStatus, type ClientStatus, type Condition } from './reconcile/status.js';
