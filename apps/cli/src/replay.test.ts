import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Behaviour, BehaviourCounts } from '@vigie/simulator';
import { addCounts, evaluate, renderScenario, SCENARIO_NAMES, zeroCounts } from '@vigie/simulator';
import type { Alert } from '@vigie/vision';
import { repoRoot } from '@vigie/testenv';
import type { Run } from './testing/run.js';
import { vigie } from './testing/run.js';

const root = repoRoot();
const config = join(root, 'examples/demo-store.xml');
const work = mkdtempSync(join(tmpdir(), 'vigie-replay-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

function alertsOf(run: Run): Alert[] {
  return run.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Alert);
}

async function simulate(name: string, seed: number): Promise<string> {
  const path = join(work, `${name}-${String(seed)}.jsonl`);
  const run = await vigie('simulate', '--seed', String(seed), name);
  assert.equal(run.code, 0, run.stderr);
  writeFileSync(path, run.stdout);
  return path;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '   n/a' : `${((100 * part) / whole).toFixed(1).padStart(5)}%`;
}

describe('vigie replay', () => {
  it('catches every scripted theft in the scenario suite, and prints precision and recall', async () => {
    const total = zeroCounts();
    const innocentAlerts: string[] = [];
    const missed: string[] = [];
    for (const name of SCENARIO_NAMES) {
      for (const seed of [1, 2, 3]) {
        const run = await vigie(
          'replay',
          '--config',
          config,
          '--camera',
          'aisle',
          await simulate(name, seed),
        );
        assert.equal(run.code, 0, run.stderr);
        const verdict = evaluate(renderScenario(name, { seed }), alertsOf(run));
        addCounts(total, verdict);
        for (const m of verdict.missed) missed.push(`${name} seed ${String(seed)}: ${m.behaviour}`);
        if (name === 'normal-shopping' || name === 'browsing') {
          for (const a of verdict.falseAlerts)
            innocentAlerts.push(`${name} seed ${String(seed)}: ${a.rule}`);
        }
      }
    }
    const lines = ['behaviour              incidents caught  alerts correct  precision  recall'];
    for (const [behaviour, c] of Object.entries(total) as [Behaviour, BehaviourCounts][]) {
      lines.push(
        `${behaviour.padEnd(22)} ${String(c.incidents).padStart(9)} ${String(c.caught).padStart(6)}` +
          `  ${String(c.alerts).padStart(6)} ${String(c.correct).padStart(7)}` +
          `  ${percent(c.correct, c.alerts).padStart(9)}  ${percent(c.caught, c.incidents)}`,
      );
    }
    console.log(
      `scenario suite, ${String(SCENARIO_NAMES.length)} scenarios × 3 seeds:\n${lines.join('\n')}`,
    );
    assert.deepEqual(missed, []);
    assert.deepEqual(innocentAlerts, []);
  });

  it('explains each alert: rule, track, time, zone and evidence moments', async () => {
    const run = await vigie(
      'replay',
      '--config',
      config,
      '--camera',
      'aisle',
      await simulate('concealment', 1),
    );
    const [alert, ...rest] = alertsOf(run);
    assert.equal(rest.length, 0);
    assert.ok(alert);
    assert.equal(alert.rule, 'concealment');
    assert.equal(alert.zone?.id, 'cosmetics');
    assert.equal(alert.camera, 'aisle');
    assert.ok(alert.evidenceTimes.length >= 3);
    assert.match(
      alert.explanation,
      /right hand reached into Cosmetics shelf, went to the body [\d.]+ s later/,
    );
    assert.match(run.stderr, /frames up to t=[\d.]+ s, 1 tracks, 1 alert\n$/);
    // The same recording gives the same alert ID, so that a replay is idempotent downstream.
    const again = await vigie(
      'replay',
      '--config',
      config,
      '--camera',
      'aisle',
      join(work, 'concealment-1.jsonl'),
    );
    assert.equal(alertsOf(again)[0]?.id, alert.id);
  });

  it('follows the sensitivity: low needs two behaviours', async () => {
    const conceal = await simulate('concealment', 2);
    const low = await vigie(
      'replay',
      '--config',
      config,
      '--camera',
      'aisle',
      '--sensitivity',
      'low',
      conceal,
    );
    assert.deepEqual(alertsOf(low), []);
    const both = await simulate('conceal-and-exit', 2);
    const lowBoth = await vigie(
      'replay',
      '--config',
      config,
      '--camera',
      'aisle',
      '--sensitivity',
      'low',
      both,
    );
    assert.deepEqual(
      alertsOf(lowBoth).map((a) => a.rules),
      [['concealment', 'exit-without-payment']],
    );
  });

  it('reports unreadable lines with a code, skips them and still replays the rest', async () => {
    const lines = readFileSync(await simulate('concealment', 3), 'utf8').split('\n');
    lines.splice(
      3,
      0,
      '{"t": "soon"}',
      'not json at all',
      '{"t": 0, "width": 1280, "height": 720, "persons": []}',
    );
    const path = join(work, 'damaged.jsonl');
    writeFileSync(path, lines.join('\n'));
    const run = await vigie('replay', '--config', config, '--camera', 'aisle', path);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /damaged\.jsonl:4: VIGIE_E_POSES_FIELD "t" must be a number/);
    assert.match(run.stderr, /damaged\.jsonl:5: VIGIE_E_POSES_JSON not JSON/);
    assert.match(run.stderr, /damaged\.jsonl:6: VIGIE_E_POSES_ORDER t=0 comes after t=0\.4/);
    assert.match(run.stderr, /3 unreadable lines skipped/);
    assert.deepEqual(
      alertsOf(run).map((a) => a.rule),
      ['concealment'],
    );
  });

  it('says what is wrong with the command line, the config or the camera', async () => {
    const recording = join(work, 'concealment-1.jsonl');
    const noCamera = await vigie('replay', '--config', config, recording);
    assert.equal(noCamera.code, 2);
    assert.match(noCamera.stderr, /--config and --camera are required/);
    const unknown = await vigie('replay', '--config', config, '--camera', 'roof', recording);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no camera "roof" in .*demo-store\.xml; it has aisle/);
    const missing = await vigie(
      'replay',
      '--config',
      config,
      '--camera',
      'aisle',
      join(work, 'nope.jsonl'),
    );
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read .*nope\.jsonl: ENOENT/);
    const badConfig = join(work, 'bad.xml');
    writeFileSync(badConfig, '<client');
    const invalid = await vigie('replay', '--config', badConfig, '--camera', 'aisle', recording);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /bad\.xml:\d+:\d+: VIGIE_E_XML_SYNTAX/);
  });
});

describe('vigie simulate', () => {
  it('lists the scenarios and writes the ground truth next to the recording', async () => {
    const list = await vigie('simulate', '--list');
    for (const name of SCENARIO_NAMES) assert.match(list.stdout, new RegExp(`^${name} `, 'm'));
    const truth = join(work, 'truth.json');
    const run = await vigie('simulate', '--truth', truth, 'restricted-zone');
    assert.equal(run.code, 0);
    const written = JSON.parse(readFileSync(truth, 'utf8')) as {
      incidents: { behaviour: string }[];
    };
    assert.deepEqual(
      written.incidents.map((i) => i.behaviour),
      ['restricted-zone'],
    );
    const unknown = await vigie('simulate', 'heist');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown scenario "heist"/);
  });
});
