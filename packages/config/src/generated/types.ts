// Generated from packages/config/src/schema/client-schema.ts by `npm run generate`. Do not edit.

/**
 * Client: A store, or a chain of stores, protected by Vigie.
 */
export interface ClientConfig {
  /** ID: The client's identifier; it names the `Client` resource and its namespace. */
  readonly id: string;
  /** Name: The store's name, for people. */
  readonly name: string;
  /** Timezone: The store's IANA timezone, such as `Europe/Paris`; the schedule is read in it. */
  readonly timezone: string;
  /** Contact: Who is responsible for this store's security. Config reports and escalations go to them. */
  readonly contact: Contact;
  /** Schedule: When detection is active, in the store's timezone. With no windows, detection runs around the clock. */
  readonly schedule: Schedule;
  /** Detection: How sensitive detection is, and which behaviour rules run. */
  readonly detection: Detection;
  /** Models: Custom models that cameras may use. */
  readonly models: readonly Model[];
  /** Cameras: The store's cameras. */
  readonly cameras: readonly Camera[];
  /** Alerts: Where alerts go, and how often. */
  readonly alerts: Alerts;
  /** Privacy: How evidence is protected. Vigie never identifies people: it has no face recognition. */
  readonly privacy: Privacy;
  /** Resources: How the client's cameras are spread over detector workers, and what each worker gets. */
  readonly resources: Resources;
}

/**
 * Contact: Who is responsible for this store's security. Config reports and escalations go to them.
 */
export interface Contact {
  /** Name: Person or team name. */
  readonly name: string;
  /** Email: Email address. */
  readonly email: string;
  /** Phone: Phone number, for urgent escalations. */
  readonly phone?: string;
}

/**
 * Schedule: When detection is active, in the store's timezone. With no windows, detection runs around the clock.
 */
export interface Schedule {
  /** Windows: Opening windows. */
  readonly windows: readonly ScheduleWindow[];
  /** Closures: Closed dates. */
  readonly closures: readonly ScheduleClosure[];
}

/**
 * Opening window: A daily period when detection is active. A window that closes earlier than it opens runs overnight.
 */
export interface ScheduleWindow {
  /** Days: The days this window applies to. */
  readonly days: ('mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun')[];
  /** Opens: Local time when detection starts. */
  readonly open: string;
  /** Closes: Local time when detection stops (24:00 for midnight). */
  readonly close: string;
}

/**
 * Closure: A date when the store is closed, such as a public holiday. Detection is off all day.
 */
export interface ScheduleClosure {
  /** Date: The closed date, in the store's timezone. */
  readonly date: string;
  /** Reason: Why the store is closed, for people. */
  readonly reason?: string;
}

/**
 * Detection: How sensitive detection is, and which behaviour rules run.
 */
export interface Detection {
  /** Sensitivity: The suspicion score an incident needs to raise an alert: `low` alerts on strong evidence only, `high` also on weaker signs. Default: `medium`. */
  readonly sensitivity: 'low' | 'medium' | 'high';
  /** Concealment rule: A hand takes goods from a shelf or high-value zone, then goes to the body (pocket, waistband, bag) and stays there. */
  readonly concealment: ConcealmentRule;
  /** Exit without payment rule: A person who took goods from a shelf leaves through an exit zone without passing a checkout zone. */
  readonly exitWithoutPayment: ExitWithoutPaymentRule;
  /** Loitering rule: A person stays in a shelf or high-value zone for longer than a threshold. */
  readonly loitering: LoiteringRule;
  /** Restricted zone rule: A person enters a restricted zone (stock room, staff area). */
  readonly restrictedZone: RestrictedZoneRule;
}

/**
 * Concealment rule: A hand takes goods from a shelf or high-value zone, then goes to the body (pocket, waistband, bag) and stays there.
 */
export interface ConcealmentRule {
  /** Enabled: Whether this rule runs. Default: `true`. */
  readonly enabled: boolean;
  /** Weight: How much this rule adds to a track's suspicion score when it fires. Default: `1`. */
  readonly weight: number;
  /** Hold time: How long the hand must stay at the body after the reach, in seconds. Default: `1`. */
  readonly holdSeconds: number;
}

/**
 * Exit without payment rule: A person who took goods from a shelf leaves through an exit zone without passing a checkout zone.
 */
export interface ExitWithoutPaymentRule {
  /** Enabled: Whether this rule runs. Default: `true`. */
  readonly enabled: boolean;
  /** Weight: How much this rule adds to a track's suspicion score when it fires. Default: `1`. */
  readonly weight: number;
}

/**
 * Loitering rule: A person stays in a shelf or high-value zone for longer than a threshold.
 */
export interface LoiteringRule {
  /** Enabled: Whether this rule runs. Default: `true`. */
  readonly enabled: boolean;
  /** Weight: How much this rule adds to a track's suspicion score when it fires. Default: `1`. */
  readonly weight: number;
  /** Threshold: How long a person may stay in one zone before it counts, in seconds. Default: `120`. */
  readonly seconds: number;
}

/**
 * Restricted zone rule: A person enters a restricted zone (stock room, staff area).
 */
export interface RestrictedZoneRule {
  /** Enabled: Whether this rule runs. Default: `true`. */
  readonly enabled: boolean;
  /** Weight: How much this rule adds to a track's suspicion score when it fires. Default: `1`. */
  readonly weight: number;
}

/**
 * Custom model: A person and pose model supplied by the client, as ONNX (for example a YOLO pose export). It is fetched once, checked against its SHA-256 and cached.
 */
export interface Model {
  /** ID: How cameras refer to this model. */
  readonly id: string;
  /** URI: Where to fetch the model: `https://` or `gs://`. */
  readonly uri: string;
  /** SHA-256: The model file's SHA-256 digest; a file that does not match is refused. */
  readonly sha256: string;
  /** Output format: How to read the model's outputs. Default: `yolo-pose`. */
  readonly format: 'yolo-pose';
  /** Input size: The square input size, in pixels, that the model was exported with. Default: `640`. */
  readonly inputSize: number;
}

/**
 * Camera: One camera of the store, with its stream and zones.
 */
export interface Camera {
  /** ID: Unique within the client. */
  readonly id: string;
  /** Name: A name for people, such as "Entrance". */
  readonly name?: string;
  /** Enabled: Whether this camera is analysed. Default: `true`. */
  readonly enabled: boolean;
  /** Model: `default` for the bundled CPU model, or the ID of a model declared under `models`. Default: `default`. */
  readonly model: string;
  /** Sensitivity override: Overrides the client's sensitivity for this camera. */
  readonly sensitivity?: 'low' | 'medium' | 'high';
  /** Stream: Where the camera's video comes from. */
  readonly stream: Stream;
  /** Analysis: How frames are sampled from the stream for analysis. */
  readonly analysis: Analysis;
  /** Zones: The camera's zones. */
  readonly zones: readonly Zone[];
}

/**
 * Stream: Where the camera's video comes from.
 */
export interface Stream {
  /** URL: The stream: `rtsp://`, `rtsps://`, `http(s)://` or `file://` (files loop, for demos). Never put a user name or password in it. */
  readonly url: string;
  /** Credentials Secret: The Kubernetes Secret, in the client's namespace, whose `username` and `password` keys log in to the stream. */
  readonly credentialsSecret?: string;
  /** RTSP transport: RTSP transport; TCP is more reliable through firewalls. Default: `tcp`. */
  readonly transport: 'tcp' | 'udp';
}

/**
 * Analysis: How frames are sampled from the stream for analysis.
 */
export interface Analysis {
  /** Frames per second: How many frames per second to analyse. 5 is enough for behaviour rules. Default: `5`. */
  readonly fps: number;
  /** Width hint: The stream's expected width in pixels; frames are scaled to it when set. */
  readonly width?: number;
  /** Height hint: The stream's expected height in pixels; frames are scaled to it when set. */
  readonly height?: number;
  /** Model input pixels: How many pixels of model input one analysed frame may use: the cost of a frame. The parts of the picture where something moves or someone is tracked are cut out and searched at up to full resolution within this budget, so people far from a high camera are seen; the whole picture is searched at this budget every `fullFrameSeconds`. The default (320 × 192) analyses a busy camera at about 5 frames per second with about one core; raise it to find more small or distant people, at a cost that grows with it (see the measured curve in apps/detector/README.md), lower it to fit more cameras on a core. Default: `61440`. */
  readonly inputPixels: number;
  /** Whole-picture search interval: How often, in seconds, the whole picture is searched for people, including those who stand still and were never seen moving. In between, a camera where nothing moves and nobody is tracked runs no inference at all. Default: `10`. */
  readonly fullFrameSeconds: number;
}

/**
 * Zone: An area of the camera's view that behaviour rules watch.
 */
export interface Zone {
  /** ID: Unique within the camera. */
  readonly id: string;
  /** Type: `shelf` and `high-value` hold goods, `checkout` is where people pay, `exit` is a way out, `restricted` is off-limits to customers. */
  readonly type: 'shelf' | 'high-value' | 'checkout' | 'exit' | 'restricted';
  /** Drawn over: What the polygon is drawn over, which decides the body point that puts a person in the zone. `floor`: the floor people stand on; a person is in the zone when their feet are (the point between the ankles, else the bottom centre of their box). `counter`: a counter, shelf front or display drawn at waist height, which hides the feet of whoever stands at it; a person is in the zone when their feet or their hips (the midpoint of the two hip keypoints) are. Default: `floor`. */
  readonly surface: 'floor' | 'counter';
  /** Name: A name for people, shown in alerts. */
  readonly name?: string;
  /** Polygon: The zone's outline in normalised frame coordinates. */
  readonly points: [number, number][];
}

/**
 * Alerts: Where alerts go, and how often.
 */
export interface Alerts {
  /** Cooldown: After an alert on a camera, further alerts for the same incident are grouped for this long, in seconds. Default: `120`. */
  readonly cooldownSeconds: number;
  /** Webhooks: Webhook targets. */
  readonly webhooks: readonly Webhook[];
  /** Emails: Email targets. */
  readonly emails: readonly EmailTarget[];
}

/**
 * Webhook: An HTTPS endpoint that receives each alert as JSON, signed with HMAC-SHA256.
 */
export interface Webhook {
  /** URL: The `https://` endpoint. */
  readonly url: string;
  /** Signing Secret: The Kubernetes Secret whose `key` signs each delivery (header `X-Vigie-Signature`). */
  readonly secretRef: string;
}

/**
 * Email: A mailbox that receives alerts.
 */
export interface EmailTarget {
  /** Address: Email address. */
  readonly address: string;
}

/**
 * Privacy: How evidence is protected. Vigie never identifies people: it has no face recognition.
 */
export interface Privacy {
  /** Blur faces: Blur faces in snapshots and clips. Default: `true`. */
  readonly blurFaces: boolean;
  /** Evidence retention: Days after which snapshots and clips are deleted. Default: `30`. */
  readonly evidenceRetentionDays: number;
  /** Clip length: Length of the evidence clip around an alert, in seconds. Default: `10`. */
  readonly clipSeconds: number;
}

/**
 * Resources: How the client's cameras are spread over detector workers, and what each worker gets.
 */
export interface Resources {
  /** Cameras per shard: How many cameras one detector worker analyses. Default: `4`. */
  readonly camerasPerShard: number;
  /** Accelerator: Run detectors on CPU, or on NVIDIA GPU nodes. Default: `cpu`. */
  readonly accelerator: 'cpu' | 'nvidia-gpu';
  /** CPU: CPU request of each detector worker. Default: `1`. */
  readonly cpu: string;
  /** Memory: Memory request of each detector worker. Default: `1Gi`. */
  readonly memory: string;
}
