/**
 * The config model's front door: bytes in, a normalised client config or located problems out.
 */

import { decodeDocument } from './decode/decode.js';
import type { ClientConfig } from './generated/types.js';
import type { Problem } from './problems/problem.js';
import { compareProblems } from './problems/problem.js';
import { CLIENT_SCHEMA } from './schema/client-schema.js';
import { verifyClientConfig } from './verify/verify-client.js';
import type { XmlLimits } from './xml/parse-xml.js';
import { DEFAULT_XML_LIMITS, parseXml } from './xml/parse-xml.js';

/** The outcome of reading a client config. */
export type ConfigResult =
  | { readonly ok: true; readonly config: ClientConfig }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/** Options for {@link parseClientConfig}. */
export interface ParseOptions {
  /** Parser limits; the defaults suit configs of up to 1,000 cameras. */
  readonly limits?: XmlLimits;
  /** The client ID that the file's location implies, such as `acme` for `client-configs/acme.xml`. */
  readonly expectedId?: string;
}

/**
 * Reads, checks and normalises a client config. Never throws on bad input: every problem,
 * hostile input included, comes back with a stable code and a position.
 */
export function parseClientConfig(
  input: Uint8Array | string,
  options: ParseOptions = {},
): ConfigResult {
  const parsed = parseXml(input, options.limits ?? DEFAULT_XML_LIMITS);
  if (!parsed.ok) return { ok: false, problems: [parsed.problem] };
  const decoded = decodeDocument(parsed.root, CLIENT_SCHEMA, parsed.source);
  if (decoded.value === undefined) {
    return { ok: false, problems: firstProblems(decoded.problems, decoded.truncated) };
  }
  // The decoder built this value field by field from the schema the type is generated from.
  const config = decoded.value as unknown as ClientConfig;
  const semantic = verifyClientConfig(
    config,
    options.expectedId === undefined ? {} : { expectedId: options.expectedId },
  );
  if (semantic.length === 0) return { ok: true, config };
  const problems = semantic.map((p) => ({
    ...p,
    ...parsed.source.positionAt(locate(decoded.offsets, p.path, parsed.root.offset)),
  }));
  return { ok: false, problems: firstProblems(problems) };
}

/** The most problems reported for one document; past it, one last problem says so. */
const MAX_PROBLEMS = 100;

/** The first problems by position, capped, with a last one saying how many were left out. */
function firstProblems(problems: readonly Problem[], truncated = false): Problem[] {
  const sorted = [...problems].sort(compareProblems);
  if (sorted.length <= MAX_PROBLEMS) return sorted;
  const shown = sorted.slice(0, MAX_PROBLEMS);
  const next = sorted[MAX_PROBLEMS] ?? shown[shown.length - 1];
  return [
    ...shown,
    {
      code: 'VIGIE_E_TOO_MANY_PROBLEMS',
      message: `${String(sorted.length - MAX_PROBLEMS)}${truncated ? ' or more' : ''} further problems are not listed; fix these first`,
      line: next?.line ?? 1,
      column: next?.column ?? 1,
    },
  ];
}

/** The source offset of `path`, or of its nearest ancestor that has one. */
function locate(offsets: ReadonlyMap<string, number>, path: string, fallback: number): number {
  for (let p = path; ;) {
    const found = offsets.get(p);
    if (found !== undefined) return found;
    if (p === '') return fallback;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    p = cut <= 0 ? '' : p.slice(0, cut);
  }
}
