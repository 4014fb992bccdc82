import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { zonesInPixels } from './zones.js';

describe('zonesInPixels', () => {
  it("turns a zone's normalised points into pixels of the frame, named by its ID when unnamed", () => {
    const zones = zonesInPixels(
      [
        {
          id: 'exit',
          type: 'exit',
          points: [
            [0, 0],
            [0.5, 0],
            [0.5, 0.25],
          ],
        },
        { id: 'till', type: 'checkout', name: 'Till', points: [[1, 1]] },
      ],
      768,
      576,
    );
    assert.deepEqual(zones, [
      {
        id: 'exit',
        name: 'exit',
        type: 'exit',
        polygon: [
          [0, 0],
          [384, 0],
          [384, 144],
        ],
      },
      { id: 'till', name: 'Till', type: 'checkout', polygon: [[768, 576]] },
    ]);
  });
});
