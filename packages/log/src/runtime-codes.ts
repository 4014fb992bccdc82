/**
 * Every runtime error code of Vigie: what a running part (console, detector, `vigie up`, the
 * CLI) reports when something fails, as opposed to the problem codes of a client config
 * (`packages/config/src/problems/codes.ts`).
 *
 * Codes never change meaning and are never reused. `docs/runtime-codes.md` is generated from
 * this table, and a test fails when a `VIGIE_E_*` literal in the source is missing from it, so a
 * new code is documented the moment it exists.
 */

/** What the registry says about one code. */
export interface RuntimeCodeInfo {
  /** The part of Vigie that reports it. */
  readonly where: string;
  /** What happened, in one line. */
  readonly meaning: string;
  /** What an on-call engineer should do about it. */
  readonly action: string;
  /** Whether retrying, with nothing changed, may make it go away; Vigie retries these itself. */
  readonly transient: boolean;
}

/** The runtime codes, by code. */
export const RUNTIME_CODES = {
  // The console's API: each code is the `code` of a JSON error answer.
  VIGIE_E_BAD_REQUEST: {
    where: 'console API (HTTP 400, 415)',
    meaning:
      'The request body cannot be understood: not JSON, the wrong content type, or a field out of range.',
    action: 'Fix the caller; the message names the field.',
    transient: false,
  },
  VIGIE_E_QUERY_INVALID: {
    where: 'console API (HTTP 400)',
    meaning:
      'A query parameter, path parameter or cursor is not valid, or the URL itself cannot be parsed.',
    action: 'Fix the caller; the message names the parameter.',
    transient: false,
  },
  VIGIE_E_UNSTORABLE: {
    where: 'console API (HTTP 400)',
    meaning:
      'The body holds a value PostgreSQL cannot store: a NUL character, a lone surrogate, a date outside years 1 to 9999, or nesting deeper than 32.',
    action: 'Fix the caller; nothing was stored.',
    transient: false,
  },
  VIGIE_E_UNAUTHENTICATED: {
    where: 'console API (HTTP 401)',
    meaning: 'No valid credentials: a missing, unknown or revoked token or session.',
    action:
      "Check the caller's token; for a detector, that its client's ingest token Secret is current.",
    transient: false,
  },
  VIGIE_E_FORBIDDEN: {
    where: 'console API (HTTP 403)',
    meaning: "Valid credentials for something else, such as another tenant's data.",
    action: "Check that the caller uses its own client's token and IDs.",
    transient: false,
  },
  VIGIE_E_NOT_FOUND: {
    where: 'console API (HTTP 404)',
    meaning:
      'No such route, or the thing asked for does not exist or is not visible to the caller.',
    action: 'Check the URL and the ID; nothing to do on the server.',
    transient: false,
  },
  VIGIE_E_TOO_LARGE: {
    where: 'console API (HTTP 413)',
    meaning: 'The body is larger than the route takes.',
    action:
      "Fix the caller; for a detector's clip, check the clip settings of the client's config.",
    transient: false,
  },
  VIGIE_E_LENGTH_REQUIRED: {
    where: 'console API (HTTP 411)',
    meaning: 'A detector post without `Content-Length`: its cost must be known before it is read.',
    action: 'Fix the caller: send the body with its length.',
    transient: false,
  },
  VIGIE_E_RATE_LIMITED: {
    where: 'console API (HTTP 429)',
    meaning: 'A tenant is over its ingest budget; `Retry-After` says when to try again.',
    action:
      'Nothing if rare (detectors wait and retry); if steady, look for a client sending far more alerts than its stores warrant.',
    transient: true,
  },
  VIGIE_E_INGEST_INVALID: {
    where: 'console ingest API (HTTP 400), from the alert envelope contract',
    meaning:
      "A detector's alert or clip is not valid: a bad envelope, an alert ID that does not match its key or path, or a clip that is not video/mp4.",
    action:
      'A detector and console of different versions, or a detector bug: compare their versions and report it.',
    transient: false,
  },
  VIGIE_E_ALREADY_STORED: {
    where: 'console ingest API (HTTP 409)',
    meaning:
      'An alert with this idempotency key is stored already; the answer carries its public ID.',
    action: 'Nothing: a detector resending after a lost answer takes this as success.',
    transient: false,
  },
  VIGIE_E_CONSOLE_SETTINGS: {
    where: 'console start-up',
    meaning: "The console's environment variables are missing or not valid; it exits.",
    action: "Fix the console's Deployment (or environment); the message names the variable.",
    transient: false,
  },

  // Alert notifications: each code starts a delivery's `last_error`.
  VIGIE_E_WEBHOOK_SECRET: {
    where: 'console notifications',
    meaning:
      "The webhook's signing Secret, or its key `key`, does not exist; nothing is sent unsigned.",
    action: "Create the Secret named by the client's webhook, with a key `key`.",
    transient: false,
  },
  VIGIE_E_WEBHOOK_URL: {
    where: 'console notifications',
    meaning: 'The webhook URL cannot be parsed or is not `https://`.',
    action: "Fix the webhook URL in the client's config.",
    transient: false,
  },
  VIGIE_E_WEBHOOK_FORBIDDEN: {
    where: 'console notifications',
    meaning:
      'The webhook host is, or resolves to, an internal address or name (loopback, private, link-local, the cluster) that no admin allowed; nothing is sent.',
    action:
      'Use a public receiver, or, if the internal one is intended, allow it in the console settings (`--webhook-allow` for `vigie up`).',
    transient: false,
  },
  VIGIE_E_WEBHOOK_STATUS: {
    where: 'console notifications',
    meaning:
      'The receiver answered with a status other than 2xx (redirects are not followed); 429 and 5xx answers are retried, others are not.',
    action: "Look at the receiver's answer quoted in the message; fix the receiver or the URL.",
    transient: false,
  },
  VIGIE_E_WEBHOOK_TIMEOUT: {
    where: 'console notifications',
    meaning: 'The receiver did not answer within the timeout.',
    action: 'Retried automatically; if it persists, check that the receiver is up.',
    transient: true,
  },
  VIGIE_E_WEBHOOK_NETWORK: {
    where: 'console notifications',
    meaning: 'The receiver could not be reached: a connection, TLS or DNS failure.',
    action:
      "Retried automatically; if it persists, check the receiver's DNS, port and certificate.",
    transient: true,
  },
  VIGIE_E_EMAIL_UNCONFIGURED: {
    where: 'console notifications',
    meaning: 'An email target, but the console has no SMTP settings.',
    action: 'Configure the SMTP server of the console, or remove the email target.',
    transient: false,
  },
  VIGIE_E_EMAIL_DEFERRED: {
    where: 'console notifications',
    meaning: 'The mail server answered 4xx: try again later.',
    action: 'Retried automatically; if it persists, check the mail server.',
    transient: true,
  },
  VIGIE_E_EMAIL_REJECTED: {
    where: 'console notifications',
    meaning: 'The mail server answered 5xx: the message or the recipient is refused for good.',
    action: "Check the recipient address in the client's config and the mail server's answer.",
    transient: false,
  },
  VIGIE_E_EMAIL_NETWORK: {
    where: 'console notifications',
    meaning: 'The mail server could not be reached: a connection, TLS or timeout failure.',
    action: 'Retried automatically; if it persists, check the SMTP host, port and certificate.',
    transient: true,
  },
  VIGIE_E_NOTIFY_INTERNAL: {
    where: 'console notifications',
    meaning: 'An unexpected error inside the console while delivering.',
    action: "Retried automatically; it is a Vigie bug: report it with the console's logs.",
    transient: true,
  },

  // The detector: its exit line (`vigie-detector: CODE: message`), its status and its cameras.
  VIGIE_E_DETECTOR_USAGE: {
    where: 'detector start-up',
    meaning:
      'The detector was started with missing or malformed flags or environment (console URL, token file, log level, numbers).',
    action: "Fix the detector's Pod spec; the operator writes it, so check the operator's version.",
    transient: false,
  },
  VIGIE_E_DETECTOR_CONFIG: {
    where: 'detector',
    meaning:
      'The detector config is not valid, or a reload is for another client or shard; the last good config keeps running.',
    action: "Compare the operator's and the detector's versions; the message says what is wrong.",
    transient: false,
  },
  VIGIE_E_DETECTOR_CONFIG_UNREADABLE: {
    where: 'detector',
    meaning: 'The detector config file cannot be read.',
    action: 'Check that the config map is mounted where the detector is told.',
    transient: false,
  },
  VIGIE_E_DETECTOR_FAILED: {
    where: 'detector; `vigie up` supervisor',
    meaning:
      'The detector stopped on an unexpected error, or its process could not start or exited.',
    action:
      "Read the detector's last log lines; it is restarted with a back-off, and a repeat is a Vigie bug.",
    transient: false,
  },
  VIGIE_E_MODEL_LOAD: {
    where: 'detector',
    meaning: 'The default pose model cannot be loaded.',
    action: 'The detector image is broken: redeploy a known-good image.',
    transient: false,
  },
  VIGIE_E_MODEL_UNREACHABLE: {
    where: 'detector',
    meaning: "A client's model cannot be fetched from its URI.",
    action: 'Check the model URI and that the detector may read it; retried on the next start.',
    transient: true,
  },
  VIGIE_E_MODEL_TOO_LARGE: {
    where: 'detector',
    meaning: "A client's model is larger than 512 MiB.",
    action: "Use a smaller model, or fix the URI in the client's config.",
    transient: false,
  },
  VIGIE_E_MODEL_SHA256_MISMATCH: {
    where: 'detector',
    meaning: "The model fetched does not have the SHA-256 digest the client's config states.",
    action: 'Update the digest in the config, or restore the model file that matches it.',
    transient: false,
  },
  VIGIE_E_MODEL_INVALID: {
    where: 'detector',
    meaning:
      "A client's model is not a usable ONNX pose model (unreadable, no input or output, wrong shape).",
    action: 'Export the model again in the format the docs describe, or use the default model.',
    transient: false,
  },
  VIGIE_E_CAMERA_SECRET: {
    where: 'detector camera',
    meaning: "The camera's Secret with `username` and `password` is not mounted.",
    action: "Create the Secret named by the camera's stream in the client's namespace.",
    transient: false,
  },
  VIGIE_E_CAMERA_FAILED: {
    where: 'detector camera',
    meaning: "An unexpected error stopped the camera's pipeline.",
    action: "A Vigie bug: report it with the detector's logs; restart the detector to recover.",
    transient: false,
  },
  VIGIE_E_STREAM_AUTH: {
    where: 'detector camera',
    meaning: 'The camera refused the credentials (401, unauthorized).',
    action: "Fix the username and password in the camera's Secret.",
    transient: false,
  },
  VIGIE_E_STREAM_NOT_FOUND: {
    where: 'detector camera',
    meaning: 'The stream path, file or pose recording does not exist (404, no such file).',
    action: "Fix the stream URL in the client's config.",
    transient: false,
  },
  VIGIE_E_STREAM_UNREACHABLE: {
    where: 'detector camera',
    meaning:
      'The camera cannot be reached: refused, timed out, no route, or its name does not resolve.',
    action: 'Retried automatically; if it persists, check the camera, its address and the network.',
    transient: true,
  },
  VIGIE_E_STREAM_CODEC: {
    where: 'detector camera',
    meaning: 'The stream opens but cannot be decoded (invalid data, unsupported codec).',
    action: 'Set the camera to H.264 or H.265, or fix the stream URL.',
    transient: false,
  },
  VIGIE_E_STREAM_FAILED: {
    where: 'detector camera',
    meaning: 'The stream failed for a reason ffmpeg did not make clear; the message quotes it.',
    action: 'Retried automatically; if it persists, read the quoted ffmpeg message.',
    transient: true,
  },

  // Pose recordings, read by `vigie replay` and by cameras that replay recorded poses.
  VIGIE_E_POSES_JSON: {
    where: '`vigie replay`; detector pose recordings',
    meaning: 'A line of a pose recording is not JSON.',
    action: 'Record the file again with `vigie poses`; the message gives the line.',
    transient: false,
  },
  VIGIE_E_POSES_FIELD: {
    where: '`vigie replay`; detector pose recordings',
    meaning: 'A line of a pose recording is too long, or a field is missing or of the wrong type.',
    action: 'Record the file again with `vigie poses`; the message gives the line and the field.',
    transient: false,
  },
  VIGIE_E_POSES_ORDER: {
    where: '`vigie replay`',
    meaning: 'A frame of a pose recording comes before the previous one in time.',
    action: 'Record the file again with `vigie poses`; the message gives the line.',
    transient: false,
  },

  // `vigie up`: the whole platform on one machine.
  VIGIE_E_ALREADY_RUNNING: {
    where: '`vigie up`',
    meaning: 'Another `vigie up` already runs on this data folder.',
    action: 'Stop it first, or use another `--data` folder.',
    transient: false,
  },
  VIGIE_E_PORT_IN_USE: {
    where: '`vigie up`',
    meaning: 'The console or the metrics cannot listen on the port asked for.',
    action: 'Pick another with `--port` or `--metrics-port`, or stop what holds the port.',
    transient: false,
  },
  VIGIE_E_WEBHOOK_ALLOW: {
    where: '`vigie up`',
    meaning: '`--webhook-allow` is not a list of address ranges and host names.',
    action: 'Fix the list, for example `127.0.0.1/32,192.168.1.0/24,hooks.lan`.',
    transient: false,
  },
} as const satisfies Record<`VIGIE_E_${string}`, RuntimeCodeInfo>;

/** A runtime error code: a key of {@link RUNTIME_CODES}. */
export type RuntimeCode = keyof typeof RUNTIME_CODES;

/** Whether `code` is a runtime code of the registry. */
export function isRuntimeCode(code: string): code is RuntimeCode {
  return Object.hasOwn(RUNTIME_CODES, code);
}
