/**
 * What the CLI and its commands share: the shape of a command, and how a command line that
 * cannot be understood is told apart. The commands import this, never `cli.ts`, which imports
 * them.
 */

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { errorMessage } from '@vigie/log';
import type { CliIo } from './io.js';

/** A subcommand: its help text and how to run it. Returns the exit code. */
export interface Command {
  readonly summary: string;
  readonly help: string;
  readonly run: (args: string[], io: CliIo) => Promise<number>;
}

/** Exit code for a command line that cannot be understood. */
export const EXIT_USAGE = 2;

/** A command line that cannot be understood; reported with the command's help. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `util.parseArgs` with errors turned into {@link UsageError}. */
export function parseCommandArgs<T extends ParseArgsConfig>(
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError(errorMessage(error));
  }
}
