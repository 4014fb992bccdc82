/** Structured logs in the shape Cloud Logging reads from stdout: one JSON object per line. */

/** Cloud Logging severities used by Vigie. */
export type Severity = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR';

/** One log entry: a severity, a message and fields such as bucket, object, generation, client. */
export interface LogEntry {
  readonly severity: Severity;
  readonly message: string;
  readonly [field: string]: unknown;
}

/** Where log entries go. */
export type Logger = (entry: LogEntry) => void;

/** A logger that writes JSON lines with `write` (stdout in production). */
export function createJsonLogger(write: (line: string) => void): Logger {
  return (entry) => {
    write(`${JSON.stringify({ ...entry, time: new Date().toISOString() })}\n`);
  };
}
