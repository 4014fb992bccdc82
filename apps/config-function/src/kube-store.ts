import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import {
  KubernetesObjectApi,
  PatchStrategy,
  V1DeleteOptions,
  V1Preconditions,
} from '@kubernetes/client-node';
import type { ClientResource, ConfigSource } from '@vigie/config';
import { CLIENT_RESOURCE } from '@vigie/config';
import { describeError, httpStatus } from '@vigie/log';
import { classify } from './errors.js';
import type { ClientStore } from './ports.js';
import { ClusterRejectedError } from './ports.js';

/** The field manager of every apply the function makes. */
export const FIELD_MANAGER = 'vigie-config-function';

const API_VERSION = `${CLIENT_RESOURCE.group}/${CLIENT_RESOURCE.version}`;

function deleteIfUnchanged(resourceVersion: string): V1DeleteOptions {
  const preconditions = new V1Preconditions();
  preconditions.resourceVersion = resourceVersion;
  const options = new V1DeleteOptions();
  options.preconditions = preconditions;
  return options;
}

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
        return {
          exists: true,
          source: client.spec?.source,
          resourceVersion: client.metadata?.resourceVersion,
        };
      } catch (error) {
        if (httpStatus(error) === 404) return { exists: false };
        throw classify(error, `reading Client ${name}`);
      }
    },
    async apply(resource: ClientResource, resourceVersion?: string) {
      // A resourceVersion in an apply is a precondition: the API server answers 409 if the
      // Client changed since it was read, and the retry decides again on fresh state.
      const body =
        resourceVersion === undefined
          ? resource
          : { ...resource, metadata: { ...resource.metadata, resourceVersion } };
      try {
        await (
          await api()
        ).patch(body, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
      } catch (error) {
        const status = httpStatus(error);
        if (status === 400 || status === 413 || status === 422) {
          const message = describeError(error);
          throw new ClusterRejectedError(message);
        }
        throw classify(error, `applying Client ${resource.metadata.name}`);
      }
    },
    async remove(name, resourceVersion) {
      try {
        await (
          await api()
        ).delete(
          ref(name),
          undefined,
          undefined,
          undefined,
          undefined,
          undefined,
          resourceVersion === undefined ? undefined : deleteIfUnchanged(resourceVersion),
        );
      } catch (error) {
        if (httpStatus(error) === 404) return;
        throw classify(error, `deleting Client ${name}`);
      }
    },
  };
}
