/**
 * Scripted store scenes with ground truth, for tests, benchmarks and the demo: people shopping,
 * browsing, concealing, leaving without paying, loitering, in crowds, behind others and seen by
 * a noisy model. Pure and seeded: the same name and seed always give the same recording.
 */
export {
  actorOf,
  addCounts,
  evaluate,
  zeroCounts,
  type BehaviourCounts,
  type Evaluation,
} from './evaluate.js';
export { createRandom, type Random } from './random.js';
export {
  apparentHeight,
  SCENE_HEIGHT,
  SCENE_WIDTH,
  SCENE_ZONES,
  SPOTS,
  type SceneZone,
} from './scene.js';
export {
  renderScenario,
  SCENARIO_NAMES,
  SCENARIOS,
  type Behaviour,
  type Scenario,
  type ScenarioOptions,
  type TruthFrame,
  type TruthIncident,
} from './scenarios.js';
export { compileActor, type Actor, type ActorScript, type Occlusion, type Step } from './script.js';
export {
  keypointsOf,
  renderPerson,
  wristFor,
  type ArmPose,
  type Body,
  type Rendering,
} from './skeleton.js';
