/**
 * Generators for the files derived from the client config schema. Kept apart from the main
 * entry point: only build scripts need them.
 */

import { stringify } from 'yaml';
import { CLIENT_SCHEMA } from '../schema/client-schema.js';
import { buildClientCrd } from './crd.js';
import { generateReference } from './docs.js';
import { generateTypes } from './typescript.js';
import { generateXsd } from './xsd.js';
import { GENERATED_BANNER } from './walk.js';

/** Every generated file, by path from the repository root, with its expected content. */
export function generatedFiles(): Record<string, string> {
  return {
    'packages/config/src/generated/types.ts': generateTypes(CLIENT_SCHEMA),
    'packages/config/schema/client.xsd': generateXsd(CLIENT_SCHEMA),
    'deploy/crd/clients.vigie.dev.yaml': `# ${GENERATED_BANNER}\n${stringify(buildClientCrd(CLIENT_SCHEMA), { lineWidth: 0, version: '1.1' })}`,
    'docs/config-reference.md': generateReference(CLIENT_SCHEMA),
  };
}
