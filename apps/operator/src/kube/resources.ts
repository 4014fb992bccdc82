/** The API resources the operator reads and writes, and how their URLs are built. */

/** One API resource type. */
export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

/** `apiVersion` as objects carry it. */
export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

/** The collection URL, across namespaces when `namespace` is undefined. */
export function collectionPath(type: ResourceType, namespace?: string): string {
  const base = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  return type.namespaced && namespace !== undefined
    ? `${base}/namespaces/${namespace}/${type.plural}`
    : `${base}/${type.plural}`;
}

/** One object's URL. */
export function objectPath(type: ResourceType, name: string, namespace?: string): string {
  return `${collectionPath(type, namespace)}/${encodeURIComponent(name)}`;
}

const core = (kind: string, plural: string, namespaced = true): ResourceType => ({
  group: '',
  version: 'v1',
  kind,
  plural,
  namespaced,
});

/** Every type the operator knows, by kind. */
export const TYPES = {
  Client: {
    group: 'vigie.dev',
    version: 'v1alpha1',
    kind: 'Client',
    plural: 'clients',
    namespaced: false,
  },
  Namespace: core('Namespace', 'namespaces', false),
  ResourceQuota: core('ResourceQuota', 'resourcequotas'),
  LimitRange: core('LimitRange', 'limitranges'),
  ConfigMap: core('ConfigMap', 'configmaps'),
  Secret: core('Secret', 'secrets'),
  Service: core('Service', 'services'),
  Pod: core('Pod', 'pods'),
  ServiceAccount: core('ServiceAccount', 'serviceaccounts'),
  ClusterRole: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'ClusterRole',
    plural: 'clusterroles',
    namespaced: false,
  },
  ClusterRoleBinding: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'ClusterRoleBinding',
    plural: 'clusterrolebindings',
    namespaced: false,
  },
  Role: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'Role',
    plural: 'roles',
    namespaced: true,
  },
  RoleBinding: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'RoleBinding',
    plural: 'rolebindings',
    namespaced: true,
  },
  Deployment: {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    plural: 'deployments',
    namespaced: true,
  },
  NetworkPolicy: {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'NetworkPolicy',
    plural: 'networkpolicies',
    namespaced: true,
  },
  EndpointSlice: {
    group: 'discovery.k8s.io',
    version: 'v1',
    kind: 'EndpointSlice',
    plural: 'endpointslices',
    namespaced: true,
  },
  Lease: {
    group: 'coordination.k8s.io',
    version: 'v1',
    kind: 'Lease',
    plural: 'leases',
    namespaced: true,
  },
  Event: {
    group: 'events.k8s.io',
    version: 'v1',
    kind: 'Event',
    plural: 'events',
    namespaced: true,
  },
  PodMonitoring: {
    group: 'monitoring.googleapis.com',
    version: 'v1',
    kind: 'PodMonitoring',
    plural: 'podmonitorings',
    namespaced: true,
  },
  ServiceMonitor: {
    group: 'monitoring.coreos.com',
    version: 'v1',
    kind: 'ServiceMonitor',
    plural: 'servicemonitors',
    namespaced: true,
  },
} as const satisfies Record<string, ResourceType>;

/** The kinds of object the operator owns and applies. */
export type OwnedKind =
  | 'Namespace'
  | 'ServiceAccount'
  | 'ClusterRole'
  | 'ClusterRoleBinding'
  | 'Role'
  | 'RoleBinding'
  | 'ResourceQuota'
  | 'LimitRange'
  | 'NetworkPolicy'
  | 'ConfigMap'
  | 'Deployment'
  | 'Service'
  | 'PodMonitoring'
  | 'ServiceMonitor';
