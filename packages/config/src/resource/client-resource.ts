import type { ClientConfig } from '../generated/types.js';
import { CLIENT_RESOURCE } from '../generate/crd.js';

/** Where a config came from: a bucket object at one generation. */
export interface ConfigSource {
  readonly bucket: string;
  readonly object: string;
  readonly generation: string;
}

/** The `Client` spec: the normalised config, without its ID (the resource's name). */
export type ClientSpec = Omit<ClientConfig, 'id'> & { readonly source?: ConfigSource };

/** The `Client` custom resource, as applied to the cluster. */
export interface ClientResource {
  readonly apiVersion: `${typeof CLIENT_RESOURCE.group}/${typeof CLIENT_RESOURCE.version}`;
  readonly kind: typeof CLIENT_RESOURCE.kind;
  readonly metadata: {
    readonly name: string;
    readonly labels: Readonly<Record<string, string>>;
  };
  readonly spec: ClientSpec;
}

/** The label that marks Vigie's own objects. */
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';

/** Builds the `Client` resource for a config, recording its source when known. */
export function toClientResource(config: ClientConfig, source?: ConfigSource): ClientResource {
  const { id, ...rest } = config;
  return {
    apiVersion: `${CLIENT_RESOURCE.group}/${CLIENT_RESOURCE.version}`,
    kind: CLIENT_RESOURCE.kind,
    metadata: { name: id, labels: { [PART_OF_LABEL]: 'vigie' } },
    spec: source === undefined ? rest : { ...rest, source },
  };
}
