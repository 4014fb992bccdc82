/**
 * Every problem a client config can have, with its stable code.
 *
 * Codes never change meaning and are never reused. The problem-code table in `docs/config-reference.md` is generated from this
 * table, so a new code is documented the moment it exists.
 */
export const PROBLEM_CODES = {
  // Input that is not a safe, well-formed XML document.
  VIGIE_E_INPUT_UNREADABLE:
    'The file cannot be read: it does not exist, is a directory, or access is denied.',
  VIGIE_E_INPUT_TOO_LARGE:
    'The file is larger than the size limit: 4 MiB for `vigie validate`, 1 MiB by default for the config function (a `Client` must fit in one etcd request).',
  VIGIE_E_INPUT_BINARY:
    'The file contains NUL bytes or other control characters: it is binary, not XML.',
  VIGIE_E_INPUT_ENCODING:
    'The file is not valid UTF-8, or declares an encoding other than UTF-8. Save it as UTF-8.',
  VIGIE_E_XML_SYNTAX: 'The file is not well-formed XML (the message says what the parser found).',
  VIGIE_E_XML_DOCTYPE:
    'A DOCTYPE or DTD is present. Vigie configs never use DTDs: they are refused so that no entity is expanded and no external file is read.',
  VIGIE_E_XML_ENTITY:
    'An entity reference other than the five predefined ones (&amp; &lt; &gt; &quot; &apos;) or a character reference.',
  VIGIE_E_XML_XINCLUDE:
    'An XInclude element. Configs are self-contained: nothing is ever included from elsewhere.',
  VIGIE_E_XML_TOO_DEEP: 'Elements are nested deeper than the limit (32 levels).',
  VIGIE_E_XML_TOO_MANY_NODES: 'The document has more elements or attributes than the limit.',
  VIGIE_E_XML_VALUE_TOO_LARGE: 'An attribute value or text is longer than the limit (64 KiB).',
  VIGIE_E_XML_NAMESPACE:
    'The root element is not `client` in the Vigie namespace `https://vigie.dev/schemas/client/v1alpha1`.',

  // Documents that are well-formed XML but do not follow the schema.
  VIGIE_E_SCHEMA_UNKNOWN_ELEMENT: 'An element that the schema does not define at this place.',
  VIGIE_E_SCHEMA_UNKNOWN_ATTRIBUTE: 'An attribute that the schema does not define on this element.',
  VIGIE_E_SCHEMA_MISSING_ELEMENT: 'A required child element is missing.',
  VIGIE_E_SCHEMA_MISSING_ATTRIBUTE: 'A required attribute is missing.',
  VIGIE_E_SCHEMA_DUPLICATE_ELEMENT: 'An element that may appear once appears more than once.',
  VIGIE_E_SCHEMA_TEXT: 'Text inside an element that only holds attributes and child elements.',
  VIGIE_E_SCHEMA_TYPE:
    'A value of the wrong type, such as a word where a number or a boolean is expected.',
  VIGIE_E_SCHEMA_RANGE: 'A number or a length outside its allowed range.',
  VIGIE_E_SCHEMA_ENUM: 'A value that is not one of the allowed words.',
  VIGIE_E_SCHEMA_PATTERN: 'A value that does not have the required format.',
  VIGIE_E_SCHEMA_TOO_FEW: 'A list has fewer items than required.',
  VIGIE_E_SCHEMA_TOO_MANY: 'A list has more items than allowed.',

  // Semantic checks: each value is well-typed, but together they do not make sense.
  VIGIE_E_NAME_INVALID:
    'An identifier that is not a valid Kubernetes name (lowercase letters, digits and `-`, starting and ending with a letter or digit).',
  VIGIE_E_DUPLICATE_ID: 'Two cameras, two zones of one camera or two models share an ID.',
  VIGIE_E_TIMEZONE_UNKNOWN: 'The timezone is not an IANA timezone name, such as `Europe/Paris`.',
  VIGIE_E_SCHEDULE_INVALID:
    'A schedule value that cannot be read: day names, `HH:MM` times or dates.',
  VIGIE_E_SCHEDULE_EMPTY_WINDOW: 'An opening window opens and closes at the same time.',
  VIGIE_E_SCHEDULE_OVERLAP: 'Two opening windows overlap on the same day.',
  VIGIE_E_SCHEDULE_DUPLICATE_CLOSURE: 'The same closure date is listed twice.',
  VIGIE_E_ZONE_POINTS_SYNTAX:
    'A polygon is not written as `x,y x,y x,y …` with 3 to 64 decimal points.',
  VIGIE_E_ZONE_OUT_OF_RANGE:
    'A polygon point lies outside the frame: coordinates are normalised, from 0 to 1.',
  VIGIE_E_ZONE_DEGENERATE:
    'A polygon has repeated consecutive points, or no area (all its points on one line).',
  VIGIE_E_ZONE_SELF_INTERSECTS: 'Two edges of a polygon cross each other.',
  VIGIE_E_MODEL_UNKNOWN:
    'A camera names a model that is neither `default` nor declared under `models`.',
  VIGIE_E_MODEL_URI_SCHEME: 'A model URI that is not `https://` or `gs://`.',
  VIGIE_E_URL_INVALID: 'A value that is not an absolute URL.',
  VIGIE_E_STREAM_SCHEME:
    'A stream URL whose scheme Vigie cannot read (use rtsp, rtsps, http, https or file).',
  VIGIE_E_CREDENTIALS_IN_URL:
    'A URL carries a user name, password or token. Put credentials in the Kubernetes Secret named by `credentialsSecret` or `secretRef` instead.',
  VIGIE_E_WEBHOOK_INSECURE:
    'A webhook URL that is not `https://`: alerts must not travel in clear.',
  VIGIE_E_ID_MISMATCH:
    'The client ID differs from the file name: the config of client `acme` lives in `client-configs/acme.xml`.',
  VIGIE_E_CLUSTER_REJECTED:
    'The file is valid, but the Kubernetes API server refused the resulting `Client` (the message says why; usually an outdated CRD).',
  VIGIE_E_INTERNAL:
    'Vigie failed while checking the file. This is a bug: please report it with the file.',
  VIGIE_E_TOO_MANY_PROBLEMS:
    'The file has more than 100 problems; the first 100 by position are listed. Fix those and validate again.',
  VIGIE_E_QUANTITY_INVALID:
    'A CPU or memory amount that is not a Kubernetes quantity (such as `500m`, `2` or `1Gi`).',
} as const;

/** A stable problem code, such as `VIGIE_E_ZONE_SELF_INTERSECTS`. */
export type ProblemCode = keyof typeof PROBLEM_CODES;
