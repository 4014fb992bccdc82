import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultsOf } from '../decode/decode.js';
import { collectObjects } from '../generate/walk.js';
import { CLIENT_SCHEMA } from './client-schema.js';
import type { ObjectNode } from './dsl.js';
import { defineObject } from './dsl.js';

/** Whether an absent element of this type can be built from defaults alone. */
function defaultable(node: ObjectNode): boolean {
  return node.fields.every((f) => {
    if (f.in === 'attribute') return !f.required;
    if (f.in === 'element') return f.presence !== 'required' && defaultable(f.object);
    return f.minItems === 0;
  });
}

describe('the client schema', () => {
  it('only defaults sections that need nothing from the user', () => {
    for (const node of collectObjects(CLIENT_SCHEMA.object)) {
      for (const field of node.fields) {
        if (field.in === 'element' && field.presence === 'defaulted') {
          assert.ok(
            defaultable(field.object),
            `${node.typeName}.${field.key} is defaulted but has required fields`,
          );
        }
      }
    }
  });

  it('gives every field a title and a description', () => {
    for (const node of collectObjects(CLIENT_SCHEMA.object)) {
      for (const field of node.fields) {
        assert.ok(
          field.title.length > 0 && field.description.length > 0,
          `${node.typeName}.${field.key}`,
        );
      }
    }
  });

  it('builds defaults with every default filled in', () => {
    const privacy = collectObjects(CLIENT_SCHEMA.object).find((n) => n.typeName === 'Privacy');
    assert.ok(privacy);
    assert.deepEqual(defaultsOf(privacy), {
      blurFaces: true,
      evidenceRetentionDays: 30,
      clipSeconds: 10,
    });
  });

  it('refuses shapes that an XSD cannot express exactly', () => {
    const item = defineObject({
      typeName: 'Item',
      title: 'Item',
      description: 'An item.',
      fields: [],
    });
    assert.throws(
      () =>
        defineObject({
          typeName: 'Mixed',
          title: 'Mixed',
          description: 'Single and repeated children.',
          fields: [
            {
              in: 'element',
              key: 'one',
              object: item,
              presence: 'optional',
              title: 'One',
              description: 'One.',
            },
            {
              in: 'list',
              key: 'many',
              item: 'item',
              object: item,
              minItems: 0,
              title: 'Many',
              description: 'Many.',
            },
          ],
        }),
      /mixes repeated children/,
    );
  });
});
