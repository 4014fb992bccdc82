import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '@vigie/testenv';
import { buildClientCrd } from '../generate/crd.js';
import { CLIENT_SCHEMA } from '../schema/client-schema.js';
import { checkClientStatus, type ClientStatus } from './client-status.js';

// A Client's status as a real cluster stored it: the operator's fields and one detector's
// report, each written by server-side apply under its own field manager.
const stored = JSON.parse(
  readFileSync(join(repoRoot(), 'packages/config/fixtures/client-status.json'), 'utf8'),
) as { status: unknown; metadata: { managedFields: { manager: string }[] } };

describe('the Client status contract', () => {
  it('reads a status that the operator and a detector wrote by server-side apply', () => {
    assert.deepEqual(stored.metadata.managedFields.map((m) => m.manager).sort(), [
      'vigie-detector-shard-0',
      'vigie-operator',
    ]);
    const checked = checkClientStatus(stored.status);
    assert.ok(checked.ok, checked.ok ? '' : checked.problems.join('\n'));
    const status = checked.status;
    assert.deepEqual(status.cameras, [{ id: 'plaza', state: 'Up' }]);
    assert.equal(status.detectors?.['shard-0']?.cameras?.[0]?.state, 'Up');
    assert.equal(status.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  });

  it('refuses what the CRD refuses: an unknown camera state, a condition without a reason', () => {
    const status = stored.status as ClientStatus;
    const flapping = checkClientStatus({
      ...status,
      cameras: [{ id: 'plaza', state: 'Flapping' }],
    });
    assert.equal(flapping.ok, false);
    const [first, ...rest] = status.conditions ?? [];
    assert.ok(first);
    const noReason = Object.fromEntries(Object.entries(first).filter(([key]) => key !== 'reason'));
    const checked = checkClientStatus({ ...status, conditions: [noReason, ...rest] });
    assert.ok(!checked.ok && checked.problems.some((p) => p.startsWith('/conditions/0')));
  });

  it('is the CRD status schema, in the structural form Kubernetes accepts', () => {
    const crd = buildClientCrd(CLIENT_SCHEMA) as {
      spec: { versions: { schema: { openAPIV3Schema: { properties: { status: unknown } } } }[] };
    };
    const schema = crd.spec.versions[0]?.schema.openAPIV3Schema.properties.status;
    const text = JSON.stringify(schema);
    // No construct outside Kubernetes' structural subset.
    for (const key of ['anyOf', 'const', 'patternProperties', '$id']) {
      assert.ok(!text.includes(`"${key}"`), `${key} in the CRD status schema`);
    }
    const cameraState = (
      schema as {
        properties: { cameras: { items: { properties: { state: unknown } } } };
      }
    ).properties.cameras.items.properties.state;
    assert.deepEqual(cameraState, { type: 'string', enum: ['Up', 'Down', 'Disabled', 'Unknown'] });
  });
});
