/** Structured logging shared by Vigie's deployables. */
export { createJsonLogger, silentLogger, type Logger, type Severity } from './log.js';
