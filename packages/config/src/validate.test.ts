import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProblemCode } from './problems/codes.js';
import { parseClientConfig } from './validate.js';

const NS = 'https://vigie.dev/schemas/client/v1alpha1';

/** A valid config; each test changes one thing in it. */
const BASE = `<?xml version="1.0" encoding="UTF-8"?>
<client xmlns="${NS}" id="acme" name="ACME" timezone="Europe/Paris">
  <contact name="Security" email="sec@acme.example"/>
  <schedule>
    <window days="mon-fri" open="08:00" close="20:00"/>
  </schedule>
  <models>
    <model id="custom" uri="https://models.example/pose.onnx" sha256="${'a'.repeat(64)}"/>
  </models>
  <cameras>
    <camera id="entrance" model="custom">
      <stream url="rtsp://10.0.0.1/stream" credentialsSecret="cams"/>
      <zones>
        <zone id="door" type="exit" points="0.1,0.1 0.9,0.1 0.9,0.9 0.1,0.9"/>
      </zones>
    </camera>
  </cameras>
  <alerts>
    <webhook url="https://hooks.example/vigie" secretRef="hook-key"/>
  </alerts>
</client>
`;

function problemsOf(
  doc: string,
): { code: ProblemCode; line: number; column: number; message: string }[] {
  const result = parseClientConfig(doc);
  if (result.ok) return [];
  return [...result.problems];
}

function expectProblem(doc: string, code: ProblemCode, line?: number, column?: number): string {
  const problems = problemsOf(doc);
  const found = problems.find((p) => p.code === code);
  assert.ok(found, `expected ${code}, got ${JSON.stringify(problems)}`);
  if (line !== undefined) assert.equal(found.line, line, `line of ${code}`);
  if (column !== undefined) assert.equal(found.column, column, `column of ${code}`);
  return found.message;
}

function edit(from: string, to: string): string {
  assert.ok(BASE.includes(from), `BASE does not contain ${from}`);
  return BASE.replace(from, to);
}

describe('a valid config', () => {
  it('is accepted and normalised with every default filled in', () => {
    const result = parseClientConfig(BASE);
    assert.ok(result.ok, JSON.stringify(result));
    const { config } = result;
    assert.equal(config.id, 'acme');
    assert.deepEqual(config.schedule.windows[0]?.days, ['mon', 'tue', 'wed', 'thu', 'fri']);
    assert.equal(config.detection.sensitivity, 'medium');
    assert.equal(config.detection.loitering.seconds, 120);
    const [camera] = config.cameras;
    assert.ok(camera);
    assert.equal(camera.analysis.fps, 5);
    assert.equal(camera.stream.transport, 'tcp');
    assert.deepEqual(camera.zones[0]?.points[1], [0.9, 0.1]);
    assert.equal(config.privacy.blurFaces, true);
    assert.equal(config.resources.camerasPerShard, 4);
    assert.deepEqual(config.alerts.emails, []);
  });

  it('accepts a polygon written closed, and stores it open', () => {
    const result = parseClientConfig(edit('0.1,0.9"', '0.1,0.9 0.1,0.1"'));
    assert.ok(result.ok);
    assert.equal(result.config.cameras[0]?.zones[0]?.points.length, 4);
  });
});

describe('schema problems', () => {
  it('reports unknown elements with a suggestion, at the element', () => {
    const message = expectProblem(
      edit('<alerts>', '<alert>').replace('</alerts>', '</alert>'),
      'VIGIE_E_SCHEMA_UNKNOWN_ELEMENT',
      18,
      3,
    );
    assert.match(message, /did you mean "alerts"/);
  });

  it('reports unknown attributes at the attribute', () => {
    const message = expectProblem(
      edit('<camera id="entrance"', '<camera id="entrance" fsp="5"'),
      'VIGIE_E_SCHEMA_UNKNOWN_ATTRIBUTE',
      11,
      27,
    );
    assert.match(message, /fsp/);
  });

  it('reports elements from other namespaces', () => {
    expectProblem(
      edit('<alerts>', '<x:alerts xmlns:x="urn:other"/><alerts>'),
      'VIGIE_E_SCHEMA_UNKNOWN_ELEMENT',
    );
  });

  it('reports a missing required attribute at its element', () => {
    expectProblem(edit(' timezone="Europe/Paris"', ''), 'VIGIE_E_SCHEMA_MISSING_ATTRIBUTE', 2, 1);
  });

  it('reports a missing required element', () => {
    expectProblem(
      edit('<contact name="Security" email="sec@acme.example"/>', ''),
      'VIGIE_E_SCHEMA_MISSING_ELEMENT',
    );
    expectProblem(
      BASE.replace(/<cameras>[\s\S]*<\/cameras>/, ''),
      'VIGIE_E_SCHEMA_MISSING_ELEMENT',
    );
  });

  it('reports an empty camera list', () => {
    expectProblem(
      BASE.replace(/<cameras>[\s\S]*<\/cameras>/, '<cameras/>'),
      'VIGIE_E_SCHEMA_TOO_FEW',
    );
  });

  it('reports duplicated single elements', () => {
    expectProblem(
      edit('<schedule>', '<privacy/><privacy/><schedule>'),
      'VIGIE_E_SCHEMA_DUPLICATE_ELEMENT',
    );
  });

  it('reports values of the wrong type, out of range, or not in the list', () => {
    expectProblem(
      edit('<camera id="entrance"', '<camera id="entrance" enabled="yes"'),
      'VIGIE_E_SCHEMA_TYPE',
    );
    expectProblem(
      edit('<zones>', '<zones>').replace(
        'credentialsSecret="cams"/>',
        'credentialsSecret="cams"/><analysis fps="fast"/>',
      ),
      'VIGIE_E_SCHEMA_TYPE',
    );
    expectProblem(
      BASE.replace('credentialsSecret="cams"/>', 'credentialsSecret="cams"/><analysis fps="120"/>'),
      'VIGIE_E_SCHEMA_RANGE',
    );
    expectProblem(edit('type="exit"', 'type="door"'), 'VIGIE_E_SCHEMA_ENUM');
    expectProblem(edit('sha256="a', 'sha256="z'), 'VIGIE_E_SCHEMA_PATTERN');
  });

  it('reports text where only elements belong', () => {
    expectProblem(edit('<cameras>', '<cameras>oops'), 'VIGIE_E_SCHEMA_TEXT');
  });

  it('reports a wrong root element or namespace', () => {
    expectProblem(
      BASE.replace(`xmlns="${NS}"`, 'xmlns="urn:other"'),
      'VIGIE_E_XML_NAMESPACE',
      2,
      1,
    );
    expectProblem('<store/>', 'VIGIE_E_XML_NAMESPACE');
  });

  it('reports all schema problems at once, in file order', () => {
    const doc = edit('<camera id="entrance"', '<camera id="Entrance" bogus="1"').replace(
      'type="exit"',
      'type="door"',
    );
    const codes = problemsOf(doc).map((p) => p.code);
    assert.deepEqual(codes, [
      'VIGIE_E_NAME_INVALID',
      'VIGIE_E_SCHEMA_UNKNOWN_ATTRIBUTE',
      'VIGIE_E_SCHEMA_ENUM',
    ]);
  });

  it('lists the first 100 problems by position, then says how many more there are', () => {
    const doc = edit('<alerts>', '<bogus/>\n'.repeat(500) + '<alerts>');
    const problems = problemsOf(doc);
    assert.equal(problems.length, 101);
    assert.deepEqual(
      problems.slice(0, 100).map((p) => p.line),
      Array.from({ length: 100 }, (_, i) => 18 + i),
    );
    const last = problems.at(-1);
    assert.ok(last);
    assert.equal(last.code, 'VIGIE_E_TOO_MANY_PROBLEMS');
    assert.match(last.message, /^400 further problems/);
  });

  it('caps semantic problems too', () => {
    const cameras = Array.from(
      { length: 300 },
      (_, i) => `<camera id="c${String(i)}"><stream url="ftp://h/${String(i)}"/></camera>`,
    ).join('\n');
    const problems = problemsOf(
      BASE.replace(/<cameras>[\s\S]*<\/cameras>/, `<cameras>${cameras}</cameras>`),
    );
    assert.equal(problems.length, 101);
    assert.equal(problems.at(-1)?.code, 'VIGIE_E_TOO_MANY_PROBLEMS');
  });
});

describe('semantic problems', () => {
  it('refuses names that are not Kubernetes names', () => {
    expectProblem(edit('id="acme"', 'id="ACME_Store"'), 'VIGIE_E_NAME_INVALID', 2, 63);
    expectProblem(edit('id="acme"', `id="${'a'.repeat(51)}"`), 'VIGIE_E_NAME_INVALID');
    expectProblem(
      edit('credentialsSecret="cams"', 'credentialsSecret="Cams!"'),
      'VIGIE_E_NAME_INVALID',
    );
  });

  it('refuses duplicate camera, zone and model IDs', () => {
    const twoCameras = edit(
      '</cameras>',
      '<camera id="entrance"><stream url="rtsp://10.0.0.2/s"/></camera></cameras>',
    );
    expectProblem(twoCameras, 'VIGIE_E_DUPLICATE_ID');
    expectProblem(
      edit('</zones>', '<zone id="door" type="shelf" points="0,0 1,0 1,1"/></zones>'),
      'VIGIE_E_DUPLICATE_ID',
    );
    expectProblem(
      edit(
        '</models>',
        `<model id="custom" uri="https://m.example/b.onnx" sha256="${'b'.repeat(64)}"/></models>`,
      ),
      'VIGIE_E_DUPLICATE_ID',
    );
  });

  it('refuses self-intersecting polygons, at the points attribute', () => {
    const message = expectProblem(
      edit('0.1,0.1 0.9,0.1 0.9,0.9 0.1,0.9', '0.1,0.1 0.9,0.9 0.9,0.1 0.1,0.9'),
      'VIGIE_E_ZONE_SELF_INTERSECTS',
      14,
      45,
    );
    assert.match(message, /door/);
  });

  it('refuses degenerate polygons and points outside the frame', () => {
    expectProblem(
      edit('0.1,0.1 0.9,0.1 0.9,0.9 0.1,0.9', '0.1,0.1 0.5,0.5 0.9,0.9'),
      'VIGIE_E_ZONE_DEGENERATE',
    );
    expectProblem(
      edit('0.1,0.1 0.9,0.1 0.9,0.9 0.1,0.9', '0.1,0.1 0.1,0.1 0.9,0.9 0.1,0.9'),
      'VIGIE_E_ZONE_DEGENERATE',
    );
    expectProblem(
      edit('0.1,0.1 0.9,0.1 0.9,0.9 0.1,0.9', '0.1,0.1 1.5,0.1 0.9,0.9 0.1,0.9'),
      'VIGIE_E_ZONE_OUT_OF_RANGE',
    );
    expectProblem(
      edit('0.1,0.1 0.9,0.1 0.9,0.9 0.1,0.9', '0.1,0.1 0.9,0.1'),
      'VIGIE_E_ZONE_POINTS_SYNTAX',
    );
    expectProblem(
      edit('0.1,0.1 0.9,0.1 0.9,0.9 0.1,0.9', '0.1;0.1 0.9,0.1 0.9,0.9'),
      'VIGIE_E_ZONE_POINTS_SYNTAX',
    );
  });

  it('refuses references to unknown models', () => {
    const message = expectProblem(
      edit('model="custom"', 'model="yolo"'),
      'VIGIE_E_MODEL_UNKNOWN',
      11,
      34,
    );
    assert.match(message, /default, custom/);
  });

  it('refuses model URIs that are not https or gs', () => {
    expectProblem(
      edit('https://models.example/pose.onnx', 'ftp://models.example/pose.onnx'),
      'VIGIE_E_MODEL_URI_SCHEME',
    );
  });

  it('refuses invalid schedules', () => {
    expectProblem(edit('days="mon-fri"', 'days="monday"'), 'VIGIE_E_SCHEDULE_INVALID');
    expectProblem(edit('open="08:00"', 'open="8am"'), 'VIGIE_E_SCHEDULE_INVALID');
    expectProblem(edit('close="20:00"', 'close="25:00"'), 'VIGIE_E_SCHEDULE_INVALID');
    expectProblem(edit('close="20:00"', 'close="08:00"'), 'VIGIE_E_SCHEDULE_EMPTY_WINDOW');
    expectProblem(
      edit('</schedule>', '<window days="fri" open="19:00" close="22:00"/></schedule>'),
      'VIGIE_E_SCHEDULE_OVERLAP',
    );
    expectProblem(
      edit('</schedule>', '<closed date="2026-02-30"/></schedule>'),
      'VIGIE_E_SCHEDULE_INVALID',
    );
    expectProblem(
      edit('</schedule>', '<closed date="2026-12-25"/><closed date="2026-12-25"/></schedule>'),
      'VIGIE_E_SCHEDULE_DUPLICATE_CLOSURE',
    );
  });

  it('accepts overnight windows, but not ones that run into the next window', () => {
    assert.ok(
      parseClientConfig(
        edit('</schedule>', '<window days="sat" open="22:00" close="06:00"/></schedule>'),
      ).ok,
    );
    expectProblem(
      edit('</schedule>', '<window days="sun" open="22:00" close="09:00"/></schedule>'),
      'VIGIE_E_SCHEDULE_OVERLAP',
    );
  });

  it('refuses unknown timezones, and known ones in the wrong case', () => {
    expectProblem(edit('Europe/Paris', 'Europe/Atlantis'), 'VIGIE_E_TIMEZONE_UNKNOWN');
    assert.match(
      expectProblem(edit('Europe/Paris', 'europe/paris'), 'VIGIE_E_TIMEZONE_UNKNOWN'),
      /Europe\/Paris/,
    );
  });

  it('finds overlaps among many windows quickly and once per window', () => {
    const windows = Array.from(
      { length: 20_000 },
      () => '<window days="mon" open="08:00" close="09:00"/>',
    ).join('');
    const problems = problemsOf(edit('</schedule>', `${windows}</schedule>`));
    assert.equal(problems[0]?.code, 'VIGIE_E_SCHEDULE_OVERLAP');
    assert.equal(problems.length, 101);
  });

  it('refuses http:// webhooks', () => {
    expectProblem(
      edit('https://hooks.example/vigie', 'http://hooks.example/vigie'),
      'VIGIE_E_WEBHOOK_INSECURE',
      19,
      19,
    );
  });

  it('refuses credentials embedded in stream and webhook URLs', () => {
    expectProblem(
      edit('rtsp://10.0.0.1/stream', 'rtsp://admin:hunter2@10.0.0.1/stream'),
      'VIGIE_E_CREDENTIALS_IN_URL',
    );
    expectProblem(
      edit('rtsp://10.0.0.1/stream', 'rtsp://10.0.0.1/stream?user=admin&amp;password=x'),
      'VIGIE_E_CREDENTIALS_IN_URL',
    );
    expectProblem(
      edit('https://hooks.example/vigie', 'https://bot:tok@hooks.example/vigie'),
      'VIGIE_E_CREDENTIALS_IN_URL',
    );
    expectProblem(
      edit('rtsp://10.0.0.1/stream', 'rtsp://10.0.0.1/stream;user=admin;password=x'),
      'VIGIE_E_CREDENTIALS_IN_URL',
    );
    expectProblem(
      edit(
        'https://models.example/pose.onnx',
        'https://models.example/pose.onnx?X-Goog-Signature=abc',
      ),
      'VIGIE_E_CREDENTIALS_IN_URL',
    );
    expectProblem(
      edit('https://hooks.example/vigie', 'https://hooks.example/vigie#token=abc'),
      'VIGIE_E_CREDENTIALS_IN_URL',
    );
  });

  it('refuses stream URLs that are not URLs or use unknown schemes', () => {
    expectProblem(edit('rtsp://10.0.0.1/stream', '10.0.0.1/stream'), 'VIGIE_E_URL_INVALID');
    expectProblem(edit('rtsp://10.0.0.1/stream', 'smb://10.0.0.1/stream'), 'VIGIE_E_STREAM_SCHEME');
  });

  it('refuses CPU and memory amounts that are not quantities', () => {
    expectProblem(
      edit('</alerts>', '</alerts><resources memory="lots"/>'),
      'VIGIE_E_QUANTITY_INVALID',
    );
  });
});
