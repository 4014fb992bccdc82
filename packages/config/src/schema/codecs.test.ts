import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { daysCodec, pointsCodec } from './codecs.js';

describe('daysCodec', () => {
  it('expands ranges and lists into weekdays in order', () => {
    assert.deepEqual(daysCodec.parse('mon-fri'), {
      ok: true,
      value: ['mon', 'tue', 'wed', 'thu', 'fri'],
    });
    assert.deepEqual(daysCodec.parse('sun, mon'), { ok: true, value: ['mon', 'sun'] });
    assert.deepEqual(daysCodec.parse('fri-mon'), { ok: true, value: ['mon', 'fri', 'sat', 'sun'] });
    assert.deepEqual(daysCodec.parse(' sat '), { ok: true, value: ['sat'] });
  });

  it('refuses anything else', () => {
    for (const bad of ['', 'monday', 'mon-', 'mon ,tue', 'MON', 'mon;tue']) {
      assert.equal(daysCodec.parse(bad).ok, false, bad);
    }
  });
});

describe('pointsCodec', () => {
  it('reads space-separated x,y pairs', () => {
    assert.deepEqual(pointsCodec.parse(' 0,0  1,0\n1,.5 '), {
      ok: true,
      value: [
        [0, 0],
        [1, 0],
        [1, 0.5],
      ],
    });
  });

  it('refuses malformed points and wrong counts', () => {
    for (const bad of [
      '0,0 1,0',
      '0,0 1,0 1',
      '0,0 1,0 1,1e2',
      'a,b c,d e,f',
      Array(65).fill('0,0').join(' '),
    ]) {
      assert.equal(pointsCodec.parse(bad).ok, false, bad);
    }
  });
});
