import type { ConfigResult, Problem } from '@vigie/config';
import { DEFAULT_XML_LIMITS, parseClientConfig } from '@vigie/config';
import { errorMessage } from '@vigie/log';
import type { CliIo } from '../io.js';

/** Reads and checks one config file; a file that cannot be read is a problem like any other. */
export async function readConfig(path: string, io: CliIo): Promise<ConfigResult> {
  let bytes: Uint8Array;
  try {
    bytes = await io.readFile(path, DEFAULT_XML_LIMITS.maxBytes);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'error';
    const why: Record<string, string> = {
      ENOENT: 'no such file',
      EISDIR: 'is a directory',
      EACCES: 'permission denied',
    };
    const problem: Problem = {
      code: 'VIGIE_E_INPUT_UNREADABLE',
      message: `cannot read the file: ${why[reason] ?? reason}`,
      line: 1,
      column: 1,
    };
    return { ok: false, problems: [problem] };
  }
  try {
    return parseClientConfig(bytes);
  } catch (error) {
    // parseClientConfig never throws on bad input; this is a Vigie bug, reported per file so
    // that the other files are still checked.
    const problem: Problem = {
      code: 'VIGIE_E_INTERNAL',
      message: `internal error, please report it: ${errorMessage(error)}`,
      line: 1,
      column: 1,
    };
    return { ok: false, problems: [problem] };
  }
}
