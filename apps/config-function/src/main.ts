/**
 * Entry point for Cloud Functions (`--entry-point process_client_config`) and for
 * `functions-framework --target=process_client_config`. Reads the environment, builds the
 * dependencies and registers the function.
 *
 * Environment:
 * - `VIGIE_CLUSTER_ENDPOINT`, `VIGIE_CLUSTER_CA` (base64 PEM): the cluster, reached with the
 *   function's own identity (Application Default Credentials). No key file anywhere.
 * - `KUBECONFIG`: a kubeconfig instead (tests, local runs).
 * - `VIGIE_CONFIG_PREFIX` (default `client-configs/`), `VIGIE_MAX_EVENT_AGE_SECONDS` (3600),
 *   `VIGIE_MAX_CONFIG_BYTES` (1048576).
 * - `VIGIE_STORAGE_ENDPOINT`: a GCS-compatible endpoint such as fake-gcs-server (tests, local
 *   runs). The storage library's own `STORAGE_EMULATOR_HOST` breaks reads of one generation.
 */

import { Storage } from '@google-cloud/storage';
import { KubeConfig } from '@kubernetes/client-node';
import { createJsonLogger } from '@vigie/log';
import { GoogleAuth } from 'google-auth-library';
import { DEFAULT_POLICY } from './decide.js';
import { registerFunction } from './function.js';
import { createGcsObjectStore } from './gcs-store.js';
import { createKubeClientStore } from './kube-store.js';

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, not "${raw}"`);
  return value;
}

function kubeConfigSource(): () => Promise<KubeConfig> {
  const endpoint = process.env.VIGIE_CLUSTER_ENDPOINT;
  if (endpoint === undefined || endpoint === '') {
    const kc = new KubeConfig();
    kc.loadFromDefault();
    return () => Promise.resolve(kc);
  }
  const ca = process.env.VIGIE_CLUSTER_CA;
  if (ca === undefined || ca === '')
    throw new Error('VIGIE_CLUSTER_CA is required with VIGIE_CLUSTER_ENDPOINT');
  const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
  // The access token is cached and refreshed by the auth library; the config is rebuilt around it.
  return async () => {
    const token = await auth.getAccessToken();
    if (!token) throw new Error('Application Default Credentials gave no access token');
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: 'gke',
          server: endpoint.startsWith('https://') ? endpoint : `https://${endpoint}`,
          caData: ca,
        },
      ],
      users: [{ name: 'function', token }],
      contexts: [{ name: 'gke', cluster: 'gke', user: 'function' }],
      currentContext: 'gke',
    });
    return kc;
  };
}

const prefix = process.env.VIGIE_CONFIG_PREFIX ?? DEFAULT_POLICY.prefix;
if (prefix === '' || !prefix.endsWith('/')) {
  throw new Error(
    `VIGIE_CONFIG_PREFIX must be a folder ending with "/", such as client-configs/, not "${prefix}"`,
  );
}

registerFunction({
  objects: createGcsObjectStore(
    process.env.VIGIE_STORAGE_ENDPOINT
      ? new Storage({ apiEndpoint: process.env.VIGIE_STORAGE_ENDPOINT })
      : new Storage(),
  ),
  clients: createKubeClientStore(kubeConfigSource()),
  log: createJsonLogger((line) => process.stdout.write(line)),
  policy: {
    prefix,
    maxEventAgeMs:
      positive('VIGIE_MAX_EVENT_AGE_SECONDS', DEFAULT_POLICY.maxEventAgeMs / 1000) * 1000,
    maxBytes: positive('VIGIE_MAX_CONFIG_BYTES', DEFAULT_POLICY.maxBytes),
  },
});
