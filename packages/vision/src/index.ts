/**
 * Vigie's pure detection logic, after the model: pose frames, tracking, zones, behaviour rules,
 * incidents and their alerts, and MOT metrics. No I/O and no environment; the detector and
 * `vigie replay` both run it.
 */
export { createCameraAnalyzer } from './analyzer.js';
export type {
  Alert,
  CameraAnalyzer,
  CameraAnalyzerOptions,
  CameraSettings,
  FrameAnalysis,
} from './analyzer.js';
export { assign, type Matching } from './assignment.js';
export {
  footPoint,
  handAtBody,
  HANDS,
  handSeen,
  MIN_KEYPOINT_SCORE,
  poseConfidence,
  REACH_MIN_ELBOW_DEGREES,
  REACH_MIN_EXTENSION,
  REACH_MIN_LIFT_DEGREES,
  REACH_MIN_PIXELS,
  reachedZone,
  torsoOf,
  zonesPresent,
  type Hand,
  type Torso,
} from './body.js';
export {
  distance,
  holdsGoods,
  iou,
  pointInPolygon,
  zonesInPixels,
  type PixelZone,
  type Point,
  type ZoneSurface,
  type ZoneType,
} from './geometry.js';
export {
  INITIAL_INCIDENT_STATE,
  rulesOf,
  scoreOf,
  SENSITIVITY_THRESHOLDS,
  stepIncident,
  type IncidentSettings,
  type IncidentState,
  type RaisedIncident,
  type Sensitivity,
} from './incidents.js';
export {
  createMotAccumulator,
  type MotAccumulator,
  type MotObject,
  type MotResult,
} from './mot.js';
export {
  formatPoseLine,
  K,
  KEYPOINTS,
  MAX_FRAME_SIDE,
  MAX_PERSONS_PER_FRAME,
  parsePoseFrame,
  parsePoseLine,
  formatRecordingHeader,
  parseRecordingHeader,
  readRecordingHeader,
  roundPose,
  SKELETON,
  type PoseRecordingHeader,
  type Box,
  type Keypoint,
  type KeypointName,
  type PersonPose,
  type PoseFrame,
  type PoseFrameProblem,
  type PoseFrameResult,
} from './pose.js';
export {
  INITIAL_RULE_STATE,
  INITIAL_TAKE_STATE,
  observe,
  REACH_WINDOW_SECONDS,
  RULES,
  ruleWeight,
  stepConcealment,
  stepExit,
  stepLoitering,
  stepRestricted,
  stepRules,
  stepTakes,
  TAKE_MIN_OBSERVATIONS,
  TAKE_MIN_SECONDS,
  type ConcealmentState,
  type EvidenceMoment,
  type ExitState,
  type Firing,
  type LoiteringState,
  type Observation,
  type RestrictedState,
  type RuleName,
  type RuleSettings,
  type Take,
  type TakeState,
  type TrackRuleState,
  type ZoneRef,
} from './rules.js';
export {
  createTracker,
  DEFAULT_TRACKER_OPTIONS,
  type Track,
  type Tracker,
  type TrackerOptions,
  type TrackUpdate,
} from './tracker.js';
export { MOVENET_CALIBRATION, YOLO_POSE_CALIBRATION } from './calibration.js';
export type { ModelCalibration } from './calibration.js';
