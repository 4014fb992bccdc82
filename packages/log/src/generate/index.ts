/**
 * The reference page generated from the runtime code registry. Kept apart from the main entry
 * point: only build scripts need it.
 */

import { RUNTIME_CODES } from '../runtime-codes.js';

/** Text for a Markdown table cell: pipes would end the cell early. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/** The runtime codes reference page, in Markdown. */
export function generateRuntimeReference(): string {
  const out = [
    '<!-- Generated from packages/log/src/runtime-codes.ts by `npm run generate`. Do not edit. -->',
    '',
    '# Runtime error codes',
    '',
    'Every code that a running part of Vigie reports when something fails: in the console API',
    "answers, in delivery errors, in detectors' and cameras' status, in the last line of a process",
    'that stops, and in `vigie up`. The problems of a client config have codes of their own, listed',
    'in [the config reference](config-reference.md#problem-codes).',
    '',
    '"Transient" failures may go away when retried with nothing changed; Vigie retries them',
    'itself, so they call for action only when they last.',
    '',
    '| Code | Where | Meaning | What to do | Transient |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const [code, info] of Object.entries(RUNTIME_CODES)) {
    out.push(
      `| \`${code}\` | ${cell(info.where)} | ${cell(info.meaning)} | ${cell(info.action)} | ${info.transient ? 'yes' : 'no'} |`,
    );
  }
  out.push('');
  return out.join('\n');
}

/** Every generated file of this package, by path from the repository root, with its content. */
export function generatedFiles(): Record<string, string> {
  return { 'docs/runtime-codes.md': generateRuntimeReference() };
}
