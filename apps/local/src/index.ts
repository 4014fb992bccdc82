/** Vigie's embedded default, `vigie up`: every part on one machine, with the production code. */
export { createLocalClientStore, type LocalClients } from './clients.js';
export { createLocalDirectory, type LocalDirectoryOptions } from './directory.js';
export { LocalPlatformError } from './errors.js';
export { startLocalPlatform, type LocalPlatform, type LocalPlatformOptions } from './platform.js';
export { chainScenes, SAMPLE_CLIENT, sampleConfig, writeSample } from './sample.js';
export {
  createFolderSecretReader,
  ensureIngestToken,
  INGEST_TOKEN_SECRET,
  ingestTokenPath,
} from './secrets.js';
export {
  createSupervisor,
  type ShardState,
  type Supervisor,
  type SupervisorOptions,
} from './supervisor.js';
