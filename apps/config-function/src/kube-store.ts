import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import type { ClientResource, ConfigSource } from '@vigie/config';
import { CLIENT_RESOURCE } from '@vigie/config';
import { classify, httpStatus } from './errors.js';
import type { ClientStore } from './ports.js';
import { ClusterRejectedError } from './ports.js';

/** The field manager of every apply the function makes. */
export const FIELD_MANAGER = 'vigie-config-function';

const API_VERSION = `${CLIENT_RESOURCE.group}/${CLIENT_RESOURCE.version}`;

/** `Client` resources in a Kubernetes cluster, applied with server-side apply. */
export function createKubeClientStore(
  kubeConfig: () => KubeConfig | Promise<KubeConfig>,
): ClientStore {
  const api = async () => KubernetesObjectApi.makeApiClient(await kubeConfig());
  const ref = (name: string) => ({
    apiVersion: API_VERSION,
    kind: CLIENT_RESOURCE.kind,
    metadata: { name },
  });
  return {
    async lookup(name) {
      try {
        const client = await (
          await api()
        ).read<KubernetesObject & { spec?: { source?: ConfigSource } }>(ref(name));
        return { exists: true, source: client.spec?.source };
      } catch (error) {
        if (httpStatus(error) === 404) return { exists: false };
        throw classify(error, `reading Client ${name}`);
      }
    },
    async apply(resource: ClientResource) {
      try {
        await (
          await api()
        ).patch(resource, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
      } catch (error) {
        const status = httpStatus(error);
        if (status === 400 || status === 409 || status === 422) {
          const body = (error as { body?: unknown }).body;
          const message =
            typeof body === 'string'
              ? (/"message":"((?:[^"\\]|\\.)*)"/.exec(body)?.[1] ?? body)
              : String(error);
          throw new ClusterRejectedError(message);
        }
        throw classify(error, `applying Client ${resource.metadata.name}`);
      }
    },
    async remove(name) {
      try {
        await (await api()).delete(ref(name));
      } catch (error) {
        if (httpStatus(error) === 404) return;
        throw classify(error, `deleting Client ${name}`);
      }
    },
  };
}
