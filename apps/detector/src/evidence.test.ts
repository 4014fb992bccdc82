import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { Alert, PersonPose, PixelZone } from '@vigie/vision';
import { K } from '@vigie/vision';
import { createEvidenceRecorder, headRegion, hiddenRegions } from './evidence.js';
import type { RgbFrame } from './models/model.js';
import { createMoveNet } from './models/movenet.js';

const require = createRequire(import.meta.url);
const photo = join(
  dirname(require.resolve('@vladmandic/face-api/package.json')),
  'demo/sample1.jpg',
);
const work = mkdtempSync(join(tmpdir(), 'vigie-evidence-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

/** How much a region's pixels vary: a pixelated face varies far less than a sharp one. */
function detail(frame: RgbFrame, [x1, y1, x2, y2]: readonly number[]): number {
  let sum = 0;
  let n = 0;
  for (let y = Math.floor(y1 ?? 0); y < (y2 ?? 0) - 1; y++) {
    for (let x = Math.floor(x1 ?? 0); x < (x2 ?? 0) - 1; x++) {
      const i = (y * frame.width + x) * 3;
      sum += Math.abs((frame.data[i] ?? 0) - (frame.data[i + 3] ?? 0));
      n++;
    }
  }
  return sum / n;
}

describe('evidence', () => {
  let frame: RgbFrame;
  let persons: PersonPose[];
  before(async () => {
    const { data, info } = await sharp(photo)
      .resize(960)
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    frame = { data, width: info.width, height: info.height };
    const model = await createMoveNet();
    persons = (await model.detect(frame)).filter((p) => p.score > 0.3);
    model.dispose();
    assert.equal(persons.length, 3);
  });

  it('finds each head from the keypoints alone, around the nose', () => {
    for (const person of persons) {
      const [x1, y1, x2, y2] = headRegion(person);
      const nose = person.keypoints[K.nose];
      assert.ok(nose && x1 < nose[0] && nose[0] < x2 && y1 < nose[1] && nose[1] < y2);
      assert.ok(x2 - x1 < (person.box[2] - person.box[0]) * 1.2, 'a head, not the whole person');
    }
  });

  it('hides faces in every kept frame, and leaves the rest of the picture alone', async () => {
    const recorder = createEvidenceRecorder({ clipSeconds: 4, blurFaces: true });
    const shown = await recorder.add({ ...frame, t: 100 }, { persons });
    for (const person of persons) {
      const head = headRegion(person);
      assert.ok(detail(shown, head) < detail(frame, head) / 2, 'the face lost its detail');
    }
    const torso = persons[0]?.keypoints[K.left_hip];
    assert.ok(torso);
    const below: [number, number, number, number] = [
      torso[0] - 20,
      torso[1] - 20,
      torso[0] + 20,
      torso[1] + 20,
    ];
    assert.equal(detail(shown, below), detail(frame, below));
    assert.notEqual(shown.data, frame.data, 'the decoded frame itself is not changed');
  });

  it('hides the head of a person the pose model missed, from where they were seen', async () => {
    const recorder = createEvidenceRecorder({ clipSeconds: 4, blurFaces: true });
    // Only the person boxes are known (a track, or a moving shape): no keypoints at all.
    const shown = await recorder.add(
      { ...frame, t: 100 },
      { persons: [], others: persons.map((p) => p.box) },
    );
    for (const person of persons) {
      const head = headRegion(person);
      assert.ok(detail(shown, head) < detail(frame, head) / 2, 'the face lost its detail');
    }
    const regions = hiddenRegions({ persons: [], others: persons.map((p) => p.box) });
    for (const r of regions) assert.ok(r.cell >= 4, 'cells of at least 4 px');
  });

  it('draws the alert on the snapshot and makes a clip of the seconds before it', async () => {
    const recorder = createEvidenceRecorder({ clipSeconds: 3, blurFaces: true });
    let shown: RgbFrame = frame;
    for (let i = 0; i < 25; i++)
      shown = await recorder.add({ ...frame, t: 100 + i * 0.2 }, { persons });
    const person = persons[1];
    assert.ok(person);
    const zone: PixelZone = {
      id: 'bar',
      name: 'Bar',
      type: 'high-value',
      polygon: [
        [0, 500],
        [300, 500],
        [300, 640],
        [0, 640],
      ],
    };
    const alert = {
      rule: 'concealment',
      trackId: 4,
      zone: { id: 'bar', name: 'Bar', type: 'high-value' },
      box: person.box,
    } as Alert;
    const jpeg = await recorder.snapshot(
      shown,
      [zone],
      alert,
      person,
      'Concealment · track 4 · Bar',
    );
    writeFileSync(join(work, 'snapshot.jpg'), jpeg);
    const meta = await sharp(jpeg).metadata();
    assert.equal(meta.width, frame.width);
    // The box's top edge is drawn in red.
    const { data } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    const [x1, y1, x2] = person.box;
    const at = (Math.round(y1) * frame.width + Math.round((x1 + x2) / 2)) * 3;
    assert.ok((data[at] ?? 0) > 180 && (data[at + 1] ?? 255) < 110, 'a red box around the person');

    const clip = await recorder.clip(104.8);
    assert.ok(clip);
    writeFileSync(join(work, 'clip.mp4'), clip);
    const probe = JSON.parse(
      execFileSync(
        'ffprobe',
        ['-v', 'error', '-count_frames', '-show_streams', '-of', 'json', join(work, 'clip.mp4')],
        {
          encoding: 'utf8',
        },
      ),
    ) as { streams: { codec_name: string; nb_read_frames: string; width: number }[] };
    const [video] = probe.streams;
    assert.equal(video?.codec_name, 'h264');
    assert.equal(video.width, 640);
    // 3 seconds at 5 fps, ending at the decisive frame.
    assert.equal(Number(video.nb_read_frames), 16);
  });
});
