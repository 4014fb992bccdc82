import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PoseFrame } from './pose.js';
import { formatPoseLine, KEYPOINTS, parsePoseLine } from './pose.js';

const person = {
  box: [10, 20, 110, 320],
  score: 0.9,
  keypoints: KEYPOINTS.map((_, i) => [50 + i, 30 + i * 15, 0.8]),
};

describe('POSES.jsonl lines', () => {
  it('read back what they write', () => {
    const frame: PoseFrame = {
      t: 1.2,
      width: 1280,
      height: 720,
      persons: [person as unknown as PoseFrame['persons'][number]],
    };
    const read = parsePoseLine(formatPoseLine(frame));
    assert.ok(read.ok);
    assert.deepEqual(read.frame, frame);
  });

  it('turn bad lines into problems with stable codes, never exceptions', () => {
    const cases: [string, string, RegExp][] = [
      ['{"t": 1', 'VIGIE_E_POSES_JSON', /not JSON/],
      ['[]', 'VIGIE_E_POSES_FIELD', /object/],
      ['{"t": -1, "width": 1, "height": 1, "persons": []}', 'VIGIE_E_POSES_FIELD', /"t"/],
      ['{"t": 0, "width": 0, "height": 1, "persons": []}', 'VIGIE_E_POSES_FIELD', /width/],
      ['{"t": 0, "width": 1e9, "height": 1, "persons": []}', 'VIGIE_E_POSES_FIELD', /width/],
      ['{"t": 0, "width": 10, "height": 10, "persons": {}}', 'VIGIE_E_POSES_FIELD', /persons/],
      [
        JSON.stringify({ t: 0, width: 10, height: 10, persons: [{ ...person, keypoints: [] }] }),
        'VIGIE_E_POSES_FIELD',
        /17/,
      ],
      [
        JSON.stringify({
          t: 0,
          width: 10,
          height: 10,
          persons: [{ ...person, box: [5, 5, 1, 1] }],
        }),
        'VIGIE_E_POSES_FIELD',
        /x2/,
      ],
      [
        JSON.stringify({ t: 0, width: 10, height: 10, persons: [{ ...person, score: 2 }] }),
        'VIGIE_E_POSES_FIELD',
        /score/,
      ],
      [
        '{"t": 0, "width": 10, "height": 10, "persons": [{"box": [0,0,1,1], "score": 0.5, "keypoints": [' +
          Array(17).fill('[1, "x", 0.5]').join(',') +
          ']}]}',
        'VIGIE_E_POSES_FIELD',
        /keypoints\[0\]/,
      ],
      [
        JSON.stringify({ t: 0, width: 10, height: 10, persons: Array(501).fill(person) }),
        'VIGIE_E_POSES_FIELD',
        /at most/,
      ],
    ];
    for (const [line, code, message] of cases) {
      const read = parsePoseLine(line);
      assert.ok(!read.ok, line.slice(0, 80));
      assert.equal(read.problem.code, code);
      assert.match(read.problem.message, message);
    }
  });
});
