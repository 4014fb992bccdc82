/** Test-only helpers that start real components. Never imported by shipped code. */
export {
  startControlPlane,
  toolsBinDir,
  type ControlPlane,
  type ControlPlaneOptions,
} from './control-plane.js';
export { freePort } from './ports.js';
export { repoRoot } from './repo.js';
export { startFakeGcs, type FakeGcs } from './fake-gcs.js';
export { installCrd } from './crd.js';
