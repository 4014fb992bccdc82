/**
 * For tests and benchmarks only: a throwaway control plane with the `Client` CRD installed and
 * served, and an admin client for it.
 */

import type { KubernetesObject } from '@kubernetes/client-node';
import { KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { buildClientCrd, CLIENT_SCHEMA } from '@vigie/config';
import type { ControlPlane } from '@vigie/testenv';
import { installCrd, startControlPlane, toolsBinDir } from '@vigie/testenv';

/** A control plane ready for `Client` resources. */
export interface ClientCluster {
  readonly controlPlane: ControlPlane;
  readonly admin: KubeConfig;
  readonly api: KubernetesObjectApi;
  /** Server-side applies any object as the test's field manager. */
  readonly apply: (object: object) => Promise<KubernetesObject>;
}

/** Starts a control plane (no controllers needed) and waits until the `Client` CRD is served. */
export async function startClientCluster(): Promise<ClientCluster> {
  const controlPlane = await startControlPlane({
    binDir: toolsBinDir(process.env),
    controllers: false,
  });
  const admin = new KubeConfig();
  admin.loadFromString(controlPlane.kubeconfig);
  const api = KubernetesObjectApi.makeApiClient(admin);
  const apply = (object: object) =>
    api.patch(object, undefined, undefined, 'vigie-test', true, PatchStrategy.ServerSideApply);
  try {
    await installCrd(controlPlane.kubeconfig, buildClientCrd(CLIENT_SCHEMA));
  } catch (error) {
    await controlPlane.stop();
    throw error;
  }
  return { controlPlane, admin, api, apply };
}
