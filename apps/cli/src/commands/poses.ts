import { homedir } from 'node:os';
import { join } from 'node:path';
import { errorMessage } from '@vigie/log';
import { formatPoseLine, formatRecordingHeader } from '@vigie/vision';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { parseCameraCommandLine } from './camera-args.js';
import { findCameraRun } from './camera-plan.js';

/**
 * `vigie poses`: runs a camera's live analysis (model, region budget, sampling, calibration) on
 * a video file and writes what it perceived as `POSES.jsonl`, for `vigie replay`.
 */
export const posesCommand: Command = {
  summary: "Run a camera's analysis on a video file and write POSES.jsonl",
  help: `Usage: vigie poses --config FILE --camera ID [--threads N] VIDEO

Runs the live analysis of camera ID of the client config FILE on a video file, exactly as its
detector would: the same model, input budget and regions, frame sampling (the camera's fps,
from the file's start) and score calibration. Writes one line per analysed frame to standard
output as POSES.jsonl, after a header line naming the model and its calibration; progress goes
to standard error. Then try zones and rules on your own footage:

  vigie poses --config store.xml --camera till till.mp4 > till.jsonl
  vigie replay --config store.xml --camera till till.jsonl

Replaying the recording gives the alerts the live detector would have raised on that video.
Any format ffmpeg reads will do.

Options:
  --config FILE   the client config (XML)
  --camera ID     the camera whose analysis settings and model apply
  --threads N     inference threads (default 1, as the detector)
  -h, --help      show this help
`,
  async run(args, io) {
    const line = parseCameraCommandLine(args, { option: 'threads', input: 'VIDEO' });
    const video = line.input;
    const threads = line.option === undefined ? 1 : Number(line.option);
    if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
      throw new UsageError('--threads must be a whole number from 1 to 64');
    }
    const found = await findCameraRun('poses', line.config, line.camera, io);
    if (!found) return 1;
    // The detector (model runtimes, image codecs) loads only for this command.
    const { analyseVideoFile, fileAnalysisSize, loadPoseModel } = await import('@vigie/detector');
    const { camera, shard } = found;
    let size;
    try {
      size = await fileAnalysisSize(video, camera);
    } catch (error) {
      io.stderr(`vigie poses: cannot read ${video}: ${errorMessage(error)}\n`);
      return 1;
    }
    const loaded = await loadPoseModel(camera.model, {
      cacheDir: join(homedir(), '.cache', 'vigie', 'models'),
      threads,
    });
    if (!('detect' in loaded)) {
      io.stderr(`vigie poses: ${loaded.code} ${loaded.message}\n`);
      return 1;
    }
    const model = loaded;
    const fps = camera.analysis.fps;
    io.stdout(
      `${formatRecordingHeader({ vigie: 'poses', model: model.name, tracker: model.trackerScores, fps, ...size })}\n`,
    );
    let frames = 0;
    let people = 0;
    const tracks = new Set<number>();
    let lastReport = 0;
    const started = performance.now();
    try {
      for await (const r of analyseVideoFile({
        path: video,
        config: shard,
        camera,
        model,
      })) {
        frames++;
        people += r.perceived.persons.length;
        for (const t of r.analysis.tracks) tracks.add(t.id);
        io.stdout(
          `${formatPoseLine({ t: r.frame.t, width: r.frame.width, height: r.frame.height, persons: r.perceived.persons })}\n`,
        );
        if (r.frame.t - lastReport >= 10) {
          lastReport = r.frame.t;
          const seconds = (performance.now() - started) / 1000;
          io.stderr(
            `vigie poses: ${r.frame.t.toFixed(0)} s of video, ${String(frames)} frames, ${(frames / seconds).toFixed(1)} frames/s\n`,
          );
        }
      }
    } catch (error) {
      io.stderr(`vigie poses: ${errorMessage(error)}\n`);
      return 1;
    } finally {
      model.dispose();
    }
    io.stderr(
      `vigie poses: ${String(frames)} frames at ${String(fps)} fps (${(frames / fps).toFixed(1)} s of video) with ${model.name}, ${(people / Math.max(1, frames)).toFixed(1)} people a frame, ${String(tracks.size)} tracks\n`,
    );
    return 0;
  },
};
