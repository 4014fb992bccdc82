/** The Vigie detector, as a library: for the local supervisor, tests and benchmarks. */
export { DetectorError, startDetector } from './detector.js';
export type { Detector, DetectorOptions, DetectorStatus } from './detector.js';
export type { CameraStatus } from './camera.js';
export { createEvidenceRecorder, headRegion, hiddenRegions, pixelate } from './evidence.js';
export type { EvidenceRecorder, HiddenRegion, Sightings } from './evidence.js';
export { analyseVideoFile, fileAnalysisSize } from './file-analysis.js';
export type { AnalysedFileFrame, FileAnalysisOptions } from './file-analysis.js';
export { planRegions, regionSettings } from './regions.js';
export type { Region, RegionSettings } from './regions.js';
export { createPerception } from './perception.js';
export { openStream } from './ingest.js';
export type { CameraStream, StreamOptions, TimedFrame } from './ingest.js';
export type { PoseModel, RgbFrame } from './models/model.js';
export { createMoveNet, moveNetInput, moveNetPersons } from './models/movenet.js';
export { loadPoseModel } from './models/load.js';
export { loadMoveNetEngine } from './models/movenet-engine.js';
export { createConsoleSink, createOutbox, DeliveryError } from './outbox.js';
export type { AlertSink, Outbox } from './outbox.js';
