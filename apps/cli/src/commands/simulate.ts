import { writeFile } from 'node:fs/promises';
import { renderScenario, SCENARIO_NAMES, SCENARIOS } from '@vigie/simulator';
import { formatPoseLine } from '@vigie/vision';
import type { Command } from '../command.js';
import { parseCommandArgs, UsageError } from '../command.js';

function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^[0-9]+$/.test(value) || Number(value) < 1 || Number(value) > 2 ** 31) {
    throw new UsageError(`${name} must be a whole number from 1`);
  }
  return Number(value);
}

/** `vigie simulate`: writes a scripted scene of the demo store as a pose recording. */
export const simulateCommand: Command = {
  summary: 'Write a scripted store scene as a POSES.jsonl recording',
  help: `Usage: vigie simulate [--seed N] [--fps N] [--truth FILE] SCENARIO
       vigie simulate --list

Writes a scripted scene of the demo store (examples/demo-store.xml, camera "aisle") to standard
output as POSES.jsonl, for "vigie replay", the tests, the benchmarks and the demo. The same
scenario and seed always give the same recording.

Options:
  --list        list the scenarios
  --seed N      vary timings, positions and noise (default 1)
  --fps N       analysis rate, frames per second (default 5)
  --truth FILE  also write the ground truth (incidents, innocent actors) as JSON
  -h, --help    show this help
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs({
      args,
      allowPositionals: true,
      options: {
        list: { type: 'boolean', default: false },
        seed: { type: 'string' },
        fps: { type: 'string' },
        truth: { type: 'string' },
      },
    });
    if (values.list) {
      for (const name of SCENARIO_NAMES) {
        io.stdout(`${name.padEnd(22)} ${SCENARIOS[name]?.description ?? ''}\n`);
      }
      return 0;
    }
    const [name, ...extra] = positionals;
    if (name === undefined || extra.length > 0) throw new UsageError('give one SCENARIO');
    if (!SCENARIO_NAMES.includes(name)) {
      throw new UsageError(`unknown scenario "${name}"; run "vigie simulate --list"`);
    }
    const fps = positiveInteger(values.fps, '--fps', 5);
    if (fps > 60) throw new UsageError('--fps must be 60 or less');
    const scenario = renderScenario(name, { seed: positiveInteger(values.seed, '--seed', 1), fps });
    if (values.truth !== undefined) {
      const { incidents, innocent } = scenario.truth;
      await writeFile(
        values.truth,
        `${JSON.stringify({ scenario: name, description: scenario.description, incidents, innocent }, null, 2)}\n`,
      );
    }
    for (const frame of scenario.frames) io.stdout(`${formatPoseLine(frame)}\n`);
    return 0;
  },
};
