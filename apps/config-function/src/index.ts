/** The config function's building blocks, for local mode and tests. `main.ts` is the deployable. */
export { createHandler, type HandlerDeps, type Outcome } from './handler.js';
export { DEFAULT_POLICY, type Policy } from './decide.js';
export { DELETED, FINALIZED } from './events.js';
export { FUNCTION_NAME, registerFunction } from './function.js';
export { createGcsObjectStore } from './gcs-store.js';
export { createKubeClientStore, FIELD_MANAGER } from './kube-store.js';
export {
  ClusterRejectedError,
  TransientError,
  type ClientStore,
  type ObjectStore,
} from './ports.js';
export { reportNames, type ConfigReport } from './report.js';
export {
  createFolderObjectStore,
  generationOf,
  LOCAL_BUCKET,
  type FolderObjectStore,
  type FolderStoreOptions,
} from './local/folder-store.js';
export { watchFolder, type FolderWatcher, type WatchOptions } from './local/watcher.js';
