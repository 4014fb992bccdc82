/** Structured logs and the runtime error vocabulary shared by Vigie's deployables. */
export {
  describeError,
  errorCode,
  errorMessage,
  httpStatus,
  isTransient,
  toError,
  VigieError,
  type VigieCode,
  type VigieErrorOptions,
} from './errors.js';
export {
  createJsonLogger,
  silentLogger,
  type LogEntry,
  type Logger,
  type Severity,
} from './log.js';
export {
  isRuntimeCode,
  RUNTIME_CODES,
  type RuntimeCode,
  type RuntimeCodeInfo,
} from './runtime-codes.js';
