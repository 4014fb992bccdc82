import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../command.js';
import { parseCameraCommandLine } from './camera-args.js';

const poses = { option: 'threads', input: 'VIDEO' } as const;

describe('the camera commands’ command line', () => {
  it('reads the config, the camera, the own option and the one input', () => {
    assert.deepEqual(
      parseCameraCommandLine(
        ['--config', 'store.xml', '--camera', 'till', '--threads', '2', 'till.mp4'],
        poses,
      ),
      { config: 'store.xml', camera: 'till', input: 'till.mp4', option: '2' },
    );
    assert.equal(
      parseCameraCommandLine(['--config', 's.xml', '--camera', 'till', 'till.mp4'], poses).option,
      undefined,
    );
  });

  it('requires --config and --camera', () => {
    assert.throws(() => parseCameraCommandLine(['--config', 's.xml', 'till.mp4'], poses), {
      name: 'UsageError',
      message: '--config and --camera are required',
    });
  });

  it('requires exactly one input, named as the command names it', () => {
    const base = ['--config', 's.xml', '--camera', 'till'];
    assert.throws(() => parseCameraCommandLine(base, poses), {
      message: 'give exactly one VIDEO',
    });
    assert.throws(
      () =>
        parseCameraCommandLine([...base, 'a.jsonl', 'b.jsonl'], {
          option: 'sensitivity',
          input: 'POSES.jsonl file',
        }),
      { message: 'give exactly one POSES.jsonl file' },
    );
  });

  it("refuses another command's option", () => {
    assert.throws(
      () =>
        parseCameraCommandLine(
          ['--config', 's.xml', '--camera', 'till', '--sensitivity', 'high', 'v.mp4'],
          poses,
        ),
      UsageError,
    );
  });
});
