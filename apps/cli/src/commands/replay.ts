import type { CameraPlan } from '@vigie/plan';
import type { CameraAnalyzer, PoseRecordingHeader, Sensitivity } from '@vigie/vision';
import {
  createCameraAnalyzer,
  MOVENET_CALIBRATION,
  parsePoseLine,
  readRecordingHeader,
} from '@vigie/vision';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { parseCameraCommandLine } from './camera-args.js';
import { findCameraRun } from './camera-plan.js';

const SENSITIVITIES: readonly Sensitivity[] = ['low', 'medium', 'high'];

/** The most characters one recording line may hold; longer lines are refused, not parsed. */
const MAX_LINE_CHARS = 4 * 1024 * 1024;

/**
 * `vigie replay`: runs a camera's tracking and behaviour rules on a pose recording, exactly as
 * its detector would, and prints each alert as one JSON line.
 */
export const replayCommand: Command = {
  summary: 'Run the behaviour rules on a pose recording and print the alerts',
  help: `Usage: vigie replay --config FILE --camera ID [--sensitivity low|medium|high] POSES.jsonl

Runs the tracking and behaviour rules of camera ID, with the zones, rules, sensitivity and
cooldown of the client config FILE, on a pose recording, and prints one alert per line as JSON.
Use it to try zones and rules on recorded footage before they go live.

POSES.jsonl holds one frame per line, in time order:
  {"t": seconds, "width": px, "height": px,
   "persons": [{"box": [x1,y1,x2,y2], "score": s, "keypoints": [[x,y,score] × 17]}]}
Keypoints are in COCO order. "vigie simulate" writes such recordings; so can any pose model.
Use - to read standard input.

A line that cannot be read is reported on stderr as FILE:LINE: CODE message and skipped; the
exit code is then 1. A summary goes to stderr at the end.

Options:
  --config FILE        the client config (XML)
  --camera ID          the camera whose zones and settings apply
  --sensitivity LEVEL  override the camera's sensitivity
  -h, --help           show this help
`,
  async run(args, io) {
    const commandLine = parseCameraCommandLine(args, {
      option: 'sensitivity',
      input: 'POSES.jsonl file',
    });
    const recording = commandLine.input;
    const sensitivity = commandLine.option;
    if (sensitivity !== undefined && !SENSITIVITIES.includes(sensitivity as Sensitivity)) {
      throw new UsageError('--sensitivity must be low, medium or high');
    }
    const found = await findCameraRun('replay', commandLine.config, commandLine.camera, io);
    if (!found) return 1;
    const camera: CameraPlan =
      sensitivity === undefined
        ? found.camera
        : { ...found.camera, sensitivity: sensitivity as Sensitivity };
    // The analyser is built as the detector builds it: from the calibration of the model that
    // made the recording (its header, from "vigie poses"), else of the default model.
    let analyzer: CameraAnalyzer | undefined;
    const analyzerFor = (header: PoseRecordingHeader | undefined): CameraAnalyzer =>
      createCameraAnalyzer({
        tracker: header?.tracker ?? MOVENET_CALIBRATION.tracker,
        settings: {
          client: found.client,
          camera,
          rules: found.shard.detection,
          cooldownSeconds: found.shard.alerts.cooldownSeconds,
        },
      });
    let line = 0;
    let frames = 0;
    let bad = 0;
    let alerts = 0;
    let last = -Infinity;
    const tracks = new Set<number>();
    const report = (code: string, message: string): void => {
      bad++;
      io.stderr(`${recording}:${String(line)}: ${code} ${message}\n`);
    };
    try {
      for await (const text of io.readLines(recording)) {
        line++;
        if (text.trim() === '') continue;
        if (text.length > MAX_LINE_CHARS) {
          report(
            'VIGIE_E_POSES_FIELD',
            `the line is longer than ${String(MAX_LINE_CHARS)} characters`,
          );
          continue;
        }
        if (analyzer === undefined) {
          const header = readRecordingHeader(text);
          analyzer = analyzerFor(header);
          if (header) continue;
        }
        const parsed = parsePoseLine(text);
        if (!parsed.ok) {
          report(parsed.problem.code, parsed.problem.message);
          continue;
        }
        if (parsed.frame.t < last) {
          report(
            'VIGIE_E_POSES_ORDER',
            `t=${String(parsed.frame.t)} comes after t=${String(last)}`,
          );
          continue;
        }
        last = parsed.frame.t;
        frames++;
        const analysis = analyzer.analyze(parsed.frame);
        for (const track of analysis.tracks) tracks.add(track.id);
        for (const alert of analysis.alerts) {
          alerts++;
          io.stdout(`${JSON.stringify(alert)}\n`);
        }
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      io.stderr(`vigie replay: cannot read ${recording}: ${code}\n`);
      return 1;
    }
    const span = frames === 0 ? 0 : last;
    io.stderr(
      `vigie replay: ${String(frames)} frames up to t=${span.toFixed(1)} s, ${String(tracks.size)} tracks, ` +
        `${String(alerts)} alert${alerts === 1 ? '' : 's'}` +
        (bad > 0 ? `, ${String(bad)} unreadable line${bad === 1 ? '' : 's'} skipped` : '') +
        '\n',
    );
    return bad > 0 ? 1 : 0;
  },
};
