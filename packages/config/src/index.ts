/**
 * The Vigie client config model: the schema, safe XML parsing, validation with located problems,
 * normalisation, and the `Client` resource. Pure: no I/O, no environment.
 */

export type * from './generated/types.js';
export { CLIENT_NAMESPACE, CLIENT_SCHEMA, MAX_CAMERAS } from './schema/client-schema.js';
export { WEEKDAYS, type Weekday } from './schema/codecs.js';
export { PROBLEM_CODES, type ProblemCode } from './problems/codes.js';
export {
  compareProblems,
  formatProblem,
  type PathProblem,
  type Position,
  type Problem,
} from './problems/problem.js';
export { DEFAULT_XML_LIMITS, parseXml, type XmlElement, type XmlLimits } from './xml/parse-xml.js';
export { parseClientConfig, type ConfigResult, type ParseOptions } from './validate.js';
export { verifyClientConfig } from './verify/verify-client.js';
export { verifyPolygon, type Point, type PolygonVerdict } from './verify/geometry.js';
export { buildClientCrd, CLIENT_RESOURCE } from './generate/crd.js';
export {
  PART_OF_LABEL,
  toClientResource,
  type ClientResource,
  type ClientSpec,
  type ConfigSource,
} from './resource/client-resource.js';
export {
  ALERT_KEY_PATTERN,
  ALERT_LIMITS,
  base64Size,
  checkIngestEnvelope,
  fitAlert,
  type AlertFiring,
  type AlertZone,
  type EnvelopeAlert,
  type EnvelopeCheck,
  type EnvelopeMedia,
  type EnvelopeProblem,
  type IngestEnvelope,
} from './contracts/alert-envelope.js';
export {
  CAMERA_STATES,
  CONDITION_TYPES,
  checkClientStatus,
  clientStatusSchema,
  type CameraHealthEntry,
  type ClientCondition,
  type ClientStatus,
  type DeepReadonly,
  type DetectorReport,
  type OperatorStatus,
  type ShardStatus,
  type StatusCheck,
} from './contracts/client-status.js';
