import type { KubernetesObject } from '@kubernetes/client-node';
import { KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';

/** What installing a CustomResourceDefinition reads of it. */
interface CrdShape {
  readonly spec?: {
    readonly group?: string;
    readonly names?: { readonly kind?: string };
    readonly versions?: readonly { readonly name?: string }[];
  };
}

/**
 * Applies a CRD with server-side apply and waits until the API server serves its kind, so that
 * the next request for it does not fail with "the server could not find the requested resource".
 */
export async function installCrd(
  kubeconfig: string,
  crd: object,
  timeoutMs = 20_000,
): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  const api = KubernetesObjectApi.makeApiClient(kc);
  await api.patch<KubernetesObject>(
    crd,
    undefined,
    undefined,
    'vigie-test',
    true,
    PatchStrategy.ServerSideApply,
  );
  const { spec } = crd as CrdShape;
  const group = spec?.group ?? '';
  const version = spec?.versions?.[0]?.name ?? '';
  const kind = spec?.names?.kind ?? '';
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const served = await api.list(`${group}/${version}`, kind).then(
      () => true,
      () => false,
    );
    if (served) return;
    await sleep(100);
  }
  throw new Error(`the ${kind} CRD was not served within ${String(timeoutMs)} ms`);
}
