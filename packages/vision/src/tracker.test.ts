import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Box, PersonPose } from './pose.js';
import { createTracker } from './tracker.js';

function det(box: Box, score = 0.9): PersonPose {
  return { box, score, keypoints: [] };
}

function walker(x0: number, vx: number, t: number): Box {
  const x = x0 + vx * t;
  return [x, 100, x + 100, 400];
}

describe('tracker', () => {
  it('keeps one ID per person when two people walk past each other', () => {
    const tracker = createTracker();
    const ids = new Map<string, Set<number>>([
      ['a', new Set()],
      ['b', new Set()],
    ]);
    for (let i = 0; i <= 40; i++) {
      const t = i / 5;
      const a = det(walker(0, 120, t));
      const b = det(walker(960, -120, t));
      const { tracks } = tracker.update(t, [b, a]);
      for (const track of tracks) ids.get(track.pose === a ? 'a' : 'b')?.add(track.id);
    }
    const a = [...(ids.get('a') ?? [])];
    const b = [...(ids.get('b') ?? [])];
    assert.equal(a.length, 1, `a was tracked as ${a.join(', ')}`);
    assert.equal(b.length, 1, `b was tracked as ${b.join(', ')}`);
    assert.notEqual(a[0], b[0]);
  });

  it('confirms a track on its second sighting, not its first', () => {
    const tracker = createTracker();
    assert.equal(tracker.update(0, [det([0, 0, 100, 300])]).tracks.length, 0);
    assert.equal(tracker.update(0.2, [det([5, 0, 105, 300])]).tracks.length, 1);
  });

  it('keeps the ID through a short occlusion, and ends the track after a long one', () => {
    const tracker = createTracker({ maxLostSeconds: 2 });
    let first: number | undefined;
    for (let i = 0; i <= 10; i++) {
      first = tracker.update(i / 5, [det(walker(0, 100, i / 5))]).tracks[0]?.id ?? first;
    }
    // Hidden for a second: the filter predicts where the person went meanwhile.
    for (let i = 11; i < 16; i++) assert.equal(tracker.update(i / 5, []).tracks.length, 0);
    const back = tracker.update(16 / 5, [det(walker(0, 100, 16 / 5))]).tracks;
    assert.equal(back[0]?.id, first);
    let ended: readonly number[] = [];
    for (let i = 17; i < 40 && ended.length === 0; i++) ended = tracker.update(i / 5, []).ended;
    assert.deepEqual(ended, [first]);
  });

  it('lets weak detections continue a track but never start one', () => {
    const tracker = createTracker();
    tracker.update(0, [det([0, 0, 100, 300])]);
    tracker.update(0.2, [det([0, 0, 100, 300])]);
    const weak = tracker.update(0.4, [det([2, 0, 102, 300], 0.3)]);
    assert.equal(weak.tracks.length, 1, 'a half-hidden person is still tracked');
    const fresh = createTracker();
    fresh.update(0, [det([0, 0, 100, 300], 0.3)]);
    assert.equal(fresh.update(0.2, [det([0, 0, 100, 300], 0.3)]).tracks.length, 0);
  });
});
