/**
 * The client config schema: the one definition of what a store (or a chain of stores)
 * configures. The TypeScript types, the XSD, the CRD schema and `docs/config-reference.md` are
 * all generated from this file (`npm run generate`).
 */

import { dateCodec, daysCodec, pointsCodec } from './codecs.js';
import type {
  AttributeField,
  Doc,
  ElementField,
  ObjectNode,
  Scalar,
  SchemaRoot,
  StringScalar,
} from './dsl.js';
import { defineObject } from './dsl.js';

/** The XML namespace of client configs, also their API version. */
export const CLIENT_NAMESPACE = 'https://vigie.dev/schemas/client/v1alpha1';

/** The highest number of cameras one client config may declare. */
export const MAX_CAMERAS = 1000;

const DNS_LABEL = '[a-z0-9]([\\-a-z0-9]*[a-z0-9])?';

/** An identifier that is also a valid Kubernetes name (RFC 1123 label). */
function nameScalar(maxLength: number): StringScalar {
  return {
    kind: 'string',
    minLength: 1,
    maxLength,
    pattern: DNS_LABEL,
    patternCode: 'VIGIE_E_NAME_INVALID',
    patternHint: `lowercase letters, digits and '-', starting and ending with a letter or digit, at most ${String(maxLength)} characters`,
  };
}

const secretName: StringScalar = {
  kind: 'string',
  minLength: 1,
  maxLength: 253,
  pattern: `${DNS_LABEL}(\\.${DNS_LABEL})*`,
  patternCode: 'VIGIE_E_NAME_INVALID',
  patternHint: 'a Kubernetes Secret name: lowercase letters, digits, - and .',
};

/** XML whitespace spelled out: `\\s` means different things in XSD, JavaScript and RE2. */
const NOT_AT_OR_BLANK = '[^@ \\t\\r\\n]';

const emailAddress: StringScalar = {
  kind: 'string',
  minLength: 3,
  maxLength: 254,
  pattern: `${NOT_AT_OR_BLANK}+@${NOT_AT_OR_BLANK}+\\.${NOT_AT_OR_BLANK}+`,
  patternHint: 'an email address such as security@example.com',
};

const sensitivity: Scalar = { kind: 'enum', values: ['low', 'medium', 'high'] };

const text = (maxLength: number): StringScalar => ({ kind: 'string', minLength: 1, maxLength });
const url: StringScalar = { kind: 'string', minLength: 1, maxLength: 2048 };
const bool: Scalar = { kind: 'boolean' };

const quantity: StringScalar = {
  kind: 'string',
  minLength: 1,
  maxLength: 32,
  pattern: '([0-9]+(\\.[0-9]+)?|\\.[0-9]+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?',
  patternCode: 'VIGIE_E_QUANTITY_INVALID',
  patternHint: 'a Kubernetes quantity such as 500m, 2, 512Mi or 1Gi',
};

const time: StringScalar = {
  kind: 'string',
  minLength: 5,
  maxLength: 5,
  pattern: '([01][0-9]|2[0-3]):[0-5][0-9]|24:00',
  patternCode: 'VIGIE_E_SCHEDULE_INVALID',
  patternHint: 'a 24-hour time HH:MM, from 00:00 to 24:00',
};

function attr(
  key: string,
  scalar: Scalar,
  doc: {
    title: string;
    description: string;
    required?: boolean;
    default?: string | number | boolean;
  },
): AttributeField {
  const field: AttributeField = {
    in: 'attribute',
    key,
    scalar,
    required: doc.required ?? false,
    title: doc.title,
    description: doc.description,
  };
  return doc.default === undefined ? field : { ...field, default: doc.default };
}

const contact = defineObject({
  typeName: 'Contact',
  title: 'Contact',
  description:
    "Who is responsible for this store's security. Config reports and escalations go to them.",
  fields: [
    attr('name', text(200), { title: 'Name', description: 'Person or team name.', required: true }),
    attr('email', emailAddress, { title: 'Email', description: 'Email address.', required: true }),
    attr(
      'phone',
      {
        kind: 'string',
        minLength: 3,
        maxLength: 40,
        pattern: '\\+?[0-9 ().\\-]+',
        patternHint: 'a phone number such as +33 1 23 45 67 89',
      },
      {
        title: 'Phone',
        description: 'Phone number, for urgent escalations.',
      },
    ),
  ],
});

const window = defineObject({
  typeName: 'ScheduleWindow',
  title: 'Opening window',
  description:
    'A daily period when detection is active. A window that closes earlier than it opens runs overnight.',
  fields: [
    attr(
      'days',
      { kind: 'codec', codec: daysCodec },
      { title: 'Days', description: 'The days this window applies to.', required: true },
    ),
    attr('open', time, {
      title: 'Opens',
      description: 'Local time when detection starts.',
      required: true,
    }),
    attr('close', time, {
      title: 'Closes',
      description: 'Local time when detection stops (24:00 for midnight).',
      required: true,
    }),
  ],
});

const closure = defineObject({
  typeName: 'ScheduleClosure',
  title: 'Closure',
  description:
    'A date when the store is closed, such as a public holiday. Detection is off all day.',
  fields: [
    attr(
      'date',
      { kind: 'codec', codec: dateCodec },
      { title: 'Date', description: "The closed date, in the store's timezone.", required: true },
    ),
    attr('reason', text(200), {
      title: 'Reason',
      description: 'Why the store is closed, for people.',
    }),
  ],
});

const schedule = defineObject({
  typeName: 'Schedule',
  title: 'Schedule',
  description:
    "When detection is active, in the store's timezone. With no windows, detection runs around the clock.",
  fields: [
    {
      in: 'list',
      key: 'windows',
      item: 'window',
      object: window,
      minItems: 0,
      title: 'Windows',
      description: 'Opening windows.',
    },
    {
      in: 'list',
      key: 'closures',
      item: 'closed',
      object: closure,
      minItems: 0,
      title: 'Closures',
      description: 'Closed dates.',
    },
  ],
});

/** What a behaviour rule's object is made of: its documentation and its own settings. */
interface RuleToggle extends Doc {
  readonly typeName: string;
  /** The rule's exact semantics, for the reference docs. */
  readonly details: readonly string[];
  readonly extra?: readonly AttributeField[];
}

const ruleToggle = ({ typeName, title, description, details, extra = [] }: RuleToggle) =>
  defineObject({
    typeName,
    title,
    description,
    details,
    fields: [
      attr('enabled', bool, {
        title: 'Enabled',
        description: 'Whether this rule runs.',
        default: true,
      }),
      attr(
        'weight',
        { kind: 'number', minimum: 0, maximum: 10 },
        {
          title: 'Weight',
          description: "How much this rule adds to a track's suspicion score when it fires.",
          default: 1,
        },
      ),
      ...extra,
    ],
  });

/** A child element holding `object`, documented by the object's own title and description. */
function section(
  key: string,
  object: ObjectNode,
  presence: ElementField['presence'],
): ElementField {
  return {
    in: 'element',
    key,
    object,
    presence,
    title: object.title,
    description: object.description,
  };
}

const rule = (key: string, object: ObjectNode) => section(key, object, 'defaulted');

/**
 * The terms every rule is stated in. The numbers are those of `packages/vision` (`body.ts`,
 * `rules.ts`); a test there fails when this text and the code disagree.
 */
const RULE_TERMS: readonly string[] = [
  'Rules judge each tracked person once per analysed frame (an *observation*), from the 17 pose keypoints. These terms are the same for every rule:',
  [
    '- **Visible keypoint**: a keypoint scored at least 0.3. A keypoint the model misses for a few frames is carried over from the same track, moved with its box and with a fading score.',
    "- **Torso length**: the distance from the shoulders' midpoint to the hips' midpoint, the person's own unit of length; it needs both shoulders and both hips visible. Thresholds in torso lengths hold near the camera and far from it.",
    "- **In a zone**: judged by the point the zone's `surface` names: the feet (the midpoint of the ankles, else the bottom centre of the person's box) for `floor` zones, the feet or the hips' midpoint for `counter` zones. A person out of a zone for less than 2 s has not left it.",
    '- **Reach**: a hand extended into a `shelf` or `high-value` zone. Its wrist, its shoulder and the torso are visible; the wrist is inside the zone and outside the torso (the quadrilateral of shoulders and hips); the wrist is at least 0.6 torso lengths and at least 12 pixels from its shoulder; the arm is lifted at least 60° from hanging (the angle between the shoulder-to-wrist line and the line from the shoulders down to the hips); and the elbow, when visible, is open by at least 100° (180° is straight). So a hand hanging or swinging at the side, or held at the chest, is not a reach, even over a zone.',
    '- **Taking goods**: a reach into the same zone seen in at least 2 observations in a row, at least 0.2 s apart from first to last (two frames in a row at 5 fps), then the same hand seen not reaching (the arm came back toward the body). Observations in which the hand is not visible neither end nor extend a reach, for up to 1 s. A wrist crossing a goods zone in one frame takes nothing.',
    "- **Hand at the body**: the wrist is over the lower torso or the hip pockets (sideways, within the hips' half-width plus 0.12 torso lengths of the hips' midpoint; vertically, from 0.45 torso lengths above the hips' midpoint to 0.3 below it) and the elbow is bent (under 155°); unknown while the elbow is not visible.",
  ].join('\n'),
];

const detection = defineObject({
  typeName: 'Detection',
  title: 'Detection',
  description: 'How sensitive detection is, and which behaviour rules run.',
  details: RULE_TERMS,
  fields: [
    attr('sensitivity', sensitivity, {
      title: 'Sensitivity',
      description:
        'The suspicion score an incident needs to raise an alert: `low` alerts on strong evidence only, `high` also on weaker signs.',
      default: 'medium',
    }),
    rule(
      'concealment',
      ruleToggle({
        typeName: 'ConcealmentRule',
        title: 'Concealment rule',
        description:
          'A hand takes goods from a shelf or high-value zone, then goes to the body (pocket, waistband, bag) and stays there.',
        details: [
          'Fires when a hand *takes goods* (see Detection), then the same hand is *at the body* within 4 s of coming back from the zone, and stays there for the hold time. Within a hold, the hand may be seen away from the body for up to 0.5 s, or not be visible for up to 1 s. A hold that ends after at least half the hold time fires as a weaker sign (strength 0.5). Each taking fires at most once.',
        ],
        extra: [
          attr(
            'holdSeconds',
            { kind: 'number', minimum: 0.2, maximum: 10 },
            {
              title: 'Hold time',
              description: 'How long the hand must stay at the body after the reach, in seconds.',
              default: 1,
            },
          ),
        ],
      }),
    ),
    rule(
      'exitWithoutPayment',
      ruleToggle({
        typeName: 'ExitWithoutPaymentRule',
        title: 'Exit without payment rule',
        description:
          'A person who took goods from a shelf leaves through an exit zone without passing a checkout zone.',
        details: [
          'Fires when a person who *took goods* (see Detection) enters an `exit` zone without having been in a `checkout` zone since, each judged by its own `surface` point. Being in a checkout zone forgets the goods; each taking fires at most once, on entering the exit.',
        ],
      }),
    ),
    rule(
      'loitering',
      ruleToggle({
        typeName: 'LoiteringRule',
        title: 'Loitering rule',
        description: 'A person stays in a shelf or high-value zone for longer than a threshold.',
        details: [
          'Fires when a person has been *in* one `shelf` or `high-value` zone (by its `surface` point) for the threshold, counting from when they entered it; absences of less than 2 s do not restart the count. It fires once per stay.',
        ],
        extra: [
          attr(
            'seconds',
            { kind: 'integer', minimum: 10, maximum: 3600 },
            {
              title: 'Threshold',
              description: 'How long a person may stay in one zone before it counts, in seconds.',
              default: 120,
            },
          ),
        ],
      }),
    ),
    rule(
      'restrictedZone',
      ruleToggle({
        typeName: 'RestrictedZoneRule',
        title: 'Restricted zone rule',
        description: 'A person enters a restricted zone (stock room, staff area).',
        details: [
          'Fires when a person is first *in* a `restricted` zone (by its `surface` point: the feet, for a zone drawn over the floor), and again when they come back after more than 2 s out of it.',
        ],
      }),
    ),
  ],
});

const model = defineObject({
  typeName: 'Model',
  title: 'Custom model',
  description:
    'A person and pose model supplied by the client, as ONNX (for example a YOLO pose export). It is fetched once, checked against its SHA-256 and cached.',
  fields: [
    attr('id', nameScalar(63), {
      title: 'ID',
      description: 'How cameras refer to this model.',
      required: true,
    }),
    attr('uri', url, {
      title: 'URI',
      description: 'Where to fetch the model: `https://` or `gs://`.',
      required: true,
    }),
    attr(
      'sha256',
      {
        kind: 'string',
        minLength: 64,
        maxLength: 64,
        pattern: '[0-9a-f]{64}',
        patternHint: '64 lowercase hexadecimal digits',
      },
      {
        title: 'SHA-256',
        description: "The model file's SHA-256 digest; a file that does not match is refused.",
        required: true,
      },
    ),
    attr(
      'format',
      { kind: 'enum', values: ['yolo-pose'] },
      {
        title: 'Output format',
        description: "How to read the model's outputs.",
        default: 'yolo-pose',
      },
    ),
    attr(
      'inputSize',
      { kind: 'integer', minimum: 160, maximum: 1920 },
      {
        title: 'Input size',
        description: 'The square input size, in pixels, that the model was exported with.',
        default: 640,
      },
    ),
  ],
});

const stream = defineObject({
  typeName: 'Stream',
  title: 'Stream',
  description: "Where the camera's video comes from.",
  fields: [
    attr('url', url, {
      title: 'URL',
      description:
        'The stream: `rtsp://`, `rtsps://`, `http(s)://` or `file://` (files loop, for demos). Never put a user name or password in it.',
      required: true,
    }),
    attr('credentialsSecret', secretName, {
      title: 'Credentials Secret',
      description:
        "The Kubernetes Secret, in the client's namespace, whose `username` and `password` keys log in to the stream.",
    }),
    attr(
      'transport',
      { kind: 'enum', values: ['tcp', 'udp'] },
      {
        title: 'RTSP transport',
        description: 'RTSP transport; TCP is more reliable through firewalls.',
        default: 'tcp',
      },
    ),
  ],
});

const analysis = defineObject({
  typeName: 'Analysis',
  title: 'Analysis',
  description: 'How frames are sampled from the stream for analysis.',
  fields: [
    attr(
      'fps',
      { kind: 'number', minimum: 0.5, maximum: 30 },
      {
        title: 'Frames per second',
        description: 'How many frames per second to analyse. 5 is enough for behaviour rules.',
        default: 5,
      },
    ),
    attr(
      'width',
      { kind: 'integer', minimum: 160, maximum: 7680 },
      {
        title: 'Width hint',
        description: "The stream's expected width in pixels; frames are scaled to it when set.",
      },
    ),
    attr(
      'height',
      { kind: 'integer', minimum: 120, maximum: 4320 },
      {
        title: 'Height hint',
        description: "The stream's expected height in pixels; frames are scaled to it when set.",
      },
    ),
    attr(
      'inputPixels',
      { kind: 'integer', minimum: 16384, maximum: 1048576 },
      {
        title: 'Model input pixels',
        description:
          'How many pixels of model input one analysed frame may use: the cost of a frame. The parts of the picture where something moves or someone is tracked are cut out and searched at up to full resolution within this budget, so people far from a high camera are seen; the whole picture is searched at this budget every `fullFrameSeconds`. The default (320 × 192) analyses a busy camera at about 5 frames per second with about one core; raise it to find more small or distant people, at a cost that grows with it (see the measured curve in apps/detector/README.md), lower it to fit more cameras on a core.',
        default: 61440,
      },
    ),
    attr(
      'fullFrameSeconds',
      { kind: 'number', minimum: 1, maximum: 600 },
      {
        title: 'Whole-picture search interval',
        description:
          'How often, in seconds, the whole picture is searched for people, including those who stand still and were never seen moving. In between, a camera where nothing moves and nobody is tracked runs no inference at all.',
        default: 10,
      },
    ),
  ],
});

const zone = defineObject({
  typeName: 'Zone',
  title: 'Zone',
  description: "An area of the camera's view that behaviour rules watch.",
  details: [
    'A person is in a zone by one point of their body, which `surface` chooses. Draw a `floor` zone on the floor where people stand, as the camera sees it: under a high camera, the hips of someone walking in front of it lie over it, and only their feet count. Draw a `counter` zone over a counter, shelf front or display that hides the feet of whoever stands at it: their feet or their hips count. A hand never puts a person in a zone; hands *reach* into `shelf` and `high-value` zones whatever their surface (see Detection).',
  ],
  fields: [
    attr('id', nameScalar(63), {
      title: 'ID',
      description: 'Unique within the camera.',
      required: true,
    }),
    attr(
      'type',
      { kind: 'enum', values: ['shelf', 'high-value', 'checkout', 'exit', 'restricted'] },
      {
        title: 'Type',
        description:
          '`shelf` and `high-value` hold goods, `checkout` is where people pay, `exit` is a way out, `restricted` is off-limits to customers.',
        required: true,
      },
    ),
    attr(
      'surface',
      { kind: 'enum', values: ['floor', 'counter'] },
      {
        title: 'Drawn over',
        description:
          'What the polygon is drawn over, which decides the body point that puts a person in the zone. `floor`: the floor people stand on; a person is in the zone when their feet are (the point between the ankles, else the bottom centre of their box). `counter`: a counter, shelf front or display drawn at waist height, which hides the feet of whoever stands at it; a person is in the zone when their feet or their hips (the midpoint of the two hip keypoints) are.',
        default: 'floor',
      },
    ),
    attr('name', text(200), { title: 'Name', description: 'A name for people, shown in alerts.' }),
    attr(
      'points',
      { kind: 'codec', codec: pointsCodec },
      {
        title: 'Polygon',
        description: "The zone's outline in normalised frame coordinates.",
        required: true,
      },
    ),
  ],
});

const camera = defineObject({
  typeName: 'Camera',
  title: 'Camera',
  description: 'One camera of the store, with its stream and zones.',
  fields: [
    attr('id', nameScalar(63), {
      title: 'ID',
      description: 'Unique within the client.',
      required: true,
    }),
    attr('name', text(200), {
      title: 'Name',
      description: 'A name for people, such as "Entrance".',
    }),
    attr('enabled', bool, {
      title: 'Enabled',
      description: 'Whether this camera is analysed.',
      default: true,
    }),
    attr('model', nameScalar(63), {
      title: 'Model',
      description:
        '`default` for the bundled CPU model, or the ID of a model declared under `models`.',
      default: 'default',
    }),
    attr('sensitivity', sensitivity, {
      title: 'Sensitivity override',
      description: "Overrides the client's sensitivity for this camera.",
    }),
    section('stream', stream, 'required'),
    section('analysis', analysis, 'defaulted'),
    {
      in: 'list',
      key: 'zones',
      wrapper: 'zones',
      item: 'zone',
      object: zone,
      minItems: 0,
      maxItems: 64,
      title: 'Zones',
      description: "The camera's zones.",
    },
  ],
});

const webhook = defineObject({
  typeName: 'Webhook',
  title: 'Webhook',
  description: 'An HTTPS endpoint that receives each alert as JSON, signed with HMAC-SHA256.',
  fields: [
    attr('url', url, { title: 'URL', description: 'The `https://` endpoint.', required: true }),
    attr('secretRef', secretName, {
      title: 'Signing Secret',
      description:
        'The Kubernetes Secret whose `key` signs each delivery (header `X-Vigie-Signature`).',
      required: true,
    }),
  ],
});

const email = defineObject({
  typeName: 'EmailTarget',
  title: 'Email',
  description: 'A mailbox that receives alerts.',
  fields: [
    attr('address', emailAddress, {
      title: 'Address',
      description: 'Email address.',
      required: true,
    }),
  ],
});

const alerts = defineObject({
  typeName: 'Alerts',
  title: 'Alerts',
  description: 'Where alerts go, and how often.',
  fields: [
    attr(
      'cooldownSeconds',
      { kind: 'integer', minimum: 0, maximum: 86400 },
      {
        title: 'Cooldown',
        description:
          'After an alert on a camera, further alerts for the same incident are grouped for this long, in seconds.',
        default: 120,
      },
    ),
    {
      in: 'list',
      key: 'webhooks',
      item: 'webhook',
      object: webhook,
      minItems: 0,
      title: 'Webhooks',
      description: 'Webhook targets.',
    },
    {
      in: 'list',
      key: 'emails',
      item: 'email',
      object: email,
      minItems: 0,
      title: 'Emails',
      description: 'Email targets.',
    },
  ],
});

const privacy = defineObject({
  typeName: 'Privacy',
  title: 'Privacy',
  description:
    'How evidence is protected. Vigie never identifies people: it has no face recognition.',
  fields: [
    attr('blurFaces', bool, {
      title: 'Blur faces',
      description: 'Blur faces in snapshots and clips.',
      default: true,
    }),
    attr(
      'evidenceRetentionDays',
      { kind: 'integer', minimum: 1, maximum: 365 },
      {
        title: 'Evidence retention',
        description: 'Days after which snapshots and clips are deleted.',
        default: 30,
      },
    ),
    attr(
      'clipSeconds',
      { kind: 'integer', minimum: 2, maximum: 60 },
      {
        title: 'Clip length',
        description: 'Length of the evidence clip around an alert, in seconds.',
        default: 10,
      },
    ),
  ],
});

const resources = defineObject({
  typeName: 'Resources',
  title: 'Resources',
  description:
    "How the client's cameras are spread over detector workers, and what each worker gets.",
  fields: [
    attr(
      'camerasPerShard',
      { kind: 'integer', minimum: 1, maximum: 64 },
      {
        title: 'Cameras per shard',
        description: 'How many cameras one detector worker analyses.',
        default: 4,
      },
    ),
    attr(
      'accelerator',
      { kind: 'enum', values: ['cpu', 'nvidia-gpu'] },
      {
        title: 'Accelerator',
        description: 'Run detectors on CPU, or on NVIDIA GPU nodes.',
        default: 'cpu',
      },
    ),
    attr('cpu', quantity, {
      title: 'CPU',
      description: 'CPU request of each detector worker.',
      default: '1',
    }),
    attr('memory', quantity, {
      title: 'Memory',
      description: 'Memory request of each detector worker.',
      default: '1Gi',
    }),
  ],
});

const clientConfig = defineObject({
  typeName: 'ClientConfig',
  title: 'Client',
  description: 'A store, or a chain of stores, protected by Vigie.',
  fields: [
    attr('id', nameScalar(50), {
      title: 'ID',
      description: "The client's identifier; it names the `Client` resource and its namespace.",
      required: true,
    }),
    attr('name', text(200), {
      title: 'Name',
      description: "The store's name, for people.",
      required: true,
    }),
    attr(
      'timezone',
      { kind: 'string', minLength: 1, maxLength: 64 },
      {
        title: 'Timezone',
        description:
          "The store's IANA timezone, such as `Europe/Paris`; the schedule is read in it.",
        required: true,
      },
    ),
    section('contact', contact, 'required'),
    section('schedule', schedule, 'defaulted'),
    section('detection', detection, 'defaulted'),
    {
      in: 'list',
      key: 'models',
      wrapper: 'models',
      item: 'model',
      object: model,
      minItems: 0,
      maxItems: 16,
      title: 'Models',
      description: 'Custom models that cameras may use.',
    },
    {
      in: 'list',
      key: 'cameras',
      wrapper: 'cameras',
      item: 'camera',
      object: camera,
      minItems: 1,
      maxItems: MAX_CAMERAS,
      title: 'Cameras',
      description: "The store's cameras.",
    },
    section('alerts', alerts, 'defaulted'),
    section('privacy', privacy, 'defaulted'),
    section('resources', resources, 'defaulted'),
  ],
});

/** The client config schema: `<client>` in the Vigie namespace. */
export const CLIENT_SCHEMA: SchemaRoot = {
  namespace: CLIENT_NAMESPACE,
  element: 'client',
  object: clientConfig,
};
