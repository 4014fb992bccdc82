#!/usr/bin/env node
// The detector on real footage: OpenCV's vtest.avi (a high fixed camera over a plaza, 1-8
// people 40-130 px tall), analysed as a camera would with the plaza zone layout, judged against
// the hand-made labels (testing/footage). With no option, prints the recall-versus-cost curve of
// the input budgets tried, in one run: for each, person recall and precision at IoU >= 0.5,
// people covered by a confirmed track, MOTA, IDF1, ID switches, unhidden heads, alerts, and the
// CPU time per frame on one core. Asserts nothing.
// Usage: node bench/footage.js [--pixels N ...] [--full]  (needs `npm run build`, ffmpeg and
// scripts/ensure-footage.sh). --full searches the whole frame every frame, as before regions.
import { parseArgs } from 'node:util';
import { regionSettings } from '@vigie/detector';
import { plazaCamera, printFootage, runFootage } from './lib/footage.js';

const defaults = regionSettings(plazaCamera().camera.analysis);

const { values } = parseArgs({
  options: {
    pixels: { type: 'string', multiple: true },
    full: { type: 'boolean', default: false },
  },
});
const budgets = (values.pixels ?? ['49152', '76800', '110592', '150528']).map(Number);
const options = budgets.flatMap((inputPixels) => [
  {
    name: `regions, ${String(inputPixels)} input px`,
    regions: { ...defaults, inputPixels },
  },
  ...(values.full || !values.pixels
    ? [
        {
          name: `whole frame every frame, ${String(inputPixels)} input px`,
          regions: { ...defaults, inputPixels, fullFrameSeconds: 0 },
        },
      ]
    : []),
]);
console.log(
  `vtest.avi at 5 fps, ${new Date().toISOString().slice(0, 10)}, node ${process.version}`,
);
for (const option of options) {
  console.error(`bench: ${option.name}`);
  const run = await runFootage(option.regions);
  console.log(
    `\n${option.name}${option.regions.inputPixels === defaults.inputPixels && option.regions.fullFrameSeconds === defaults.fullFrameSeconds ? ' (the default)' : ''}`,
  );
  printFootage(run, '  ');
}
