import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shardChange } from './supervisor-converge.js';

describe("the local supervisor's convergence", () => {
  it('restarts a shard whose rollout key changed, config change or not', () => {
    assert.equal(shardChange('a', { rolloutKey: 'b' }, false), 'roll');
    assert.equal(shardChange('a', { rolloutKey: 'b' }, true), 'roll');
  });

  it('updates a shard live when only its config changed, and leaves it alone otherwise', () => {
    assert.equal(shardChange('a', { rolloutKey: 'a' }, true), 'live');
    assert.equal(shardChange('a', { rolloutKey: 'a' }, false), 'unchanged');
  });
});
