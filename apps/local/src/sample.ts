/**
 * The sample client that `vigie up` loads on a fresh data folder: the demo store, with two
 * cameras replaying store scenes from the scenario simulator (seeded, so every newcomer sees
 * the same day). A theft happens in the first seconds, so an alert arrives within a minute.
 */

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderScenario, SCENE_ZONES } from '@vigie/simulator';
import type { PoseFrame } from '@vigie/vision';
import { formatPoseLine } from '@vigie/vision';

/** The sample client's ID, and its file in the bucket. */
export const SAMPLE_CLIENT = 'demo-store';

/** Each camera's day: scenes in order, a pause between them; the recording then loops. */
const FOOTAGE: Readonly<Record<string, readonly string[]>> = {
  aisle: ['concealment', 'browsing', 'conceal-and-exit', 'normal-shopping'],
  entrance: ['exit-without-payment', 'restricted-zone', 'normal-shopping', 'loitering'],
};

const PAUSE_SECONDS = 3;

/** Chains scenes into one recording, each starting after the previous one and a pause. */
export function chainScenes(names: readonly string[], seed = 7): PoseFrame[] {
  const frames: PoseFrame[] = [];
  let offset = 0;
  for (const [index, name] of names.entries()) {
    const scene = renderScenario(name, { seed: seed + index, fps: 5 });
    for (const frame of scene.frames) frames.push({ ...frame, t: frame.t + offset });
    offset = (frames.at(-1)?.t ?? offset) + PAUSE_SECONDS;
  }
  return frames;
}

/** The scenes' zones, as config XML: the recordings are rendered in exactly these. */
const ZONES = `      <zones>
${SCENE_ZONES.map(
  (z) =>
    `        <zone id="${z.id}" type="${z.type}" surface="${z.surface}" name="${z.name}" points="${z.points.map(([x, y]) => `${String(x)},${String(y)}`).join(' ')}"/>`,
).join('\n')}
      </zones>`;

/** The sample config, with its cameras reading the recordings in `footageDir`. */
export function sampleConfig(footageDir: string): string {
  const camera = (id: string, name: string) => `    <camera id="${id}" name="${name}">
      <stream url="${pathToFileURL(join(footageDir, `${id}.poses.jsonl`)).href}"/>
      <analysis fps="5" width="1280" height="720"/>
${ZONES}
    </camera>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- The sample client of "vigie up": two cameras replay simulated store scenes in a loop.
     Edit this file to see the change applied live; delete it to remove the client. -->
<client xmlns="https://vigie.dev/schemas/client/v1alpha1"
        id="${SAMPLE_CLIENT}" name="Vigie Demo Store" timezone="Europe/Paris">
  <contact name="Demo store manager" email="manager@demo-store.example"/>
  <cameras>
${camera('aisle', 'Cosmetics aisle')}
${camera('entrance', 'Entrance and tills')}
  </cameras>
</client>
`;
}

/** Writes the recordings and the sample config into the bucket folder. */
export async function writeSample(options: {
  footageDir: string;
  configsDir: string;
}): Promise<string> {
  await mkdir(options.footageDir, { recursive: true });
  for (const [camera, scenes] of Object.entries(FOOTAGE)) {
    const lines = chainScenes(scenes).map((frame) => formatPoseLine(frame));
    await writeFile(join(options.footageDir, `${camera}.poses.jsonl`), `${lines.join('\n')}\n`);
  }
  await mkdir(options.configsDir, { recursive: true });
  const path = join(options.configsDir, `${SAMPLE_CLIENT}.xml`);
  await writeFile(path, sampleConfig(options.footageDir));
  return path;
}
