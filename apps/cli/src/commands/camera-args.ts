/** The command line `vigie poses` and `vigie replay` share: a camera of a config, on one file. */

import { parseCommandArgs, UsageError } from '../command.js';

/** The command line of a command that runs one camera of a client config on one input file. */
export interface CameraCommandLine {
  /** The client config's path (`--config`). */
  readonly config: string;
  /** The camera's ID (`--camera`). */
  readonly camera: string;
  /** The one positional argument: the file the camera's analysis runs on. */
  readonly input: string;
  /** The command's own option, when given. */
  readonly option: string | undefined;
}

/** What a camera command takes beside `--config` and `--camera`. */
export interface CameraCommandSpec<K extends string> {
  /** Its one option of its own, a string (`threads` for `--threads`). */
  readonly option: K;
  /** The input named in errors, after "give exactly one". */
  readonly input: string;
}

/**
 * Parses `--config FILE --camera ID [--OPTION VALUE] INPUT`, the command line of `vigie poses`
 * and `vigie replay`; anything else is a {@link UsageError}.
 */
export function parseCameraCommandLine<K extends string>(
  args: string[],
  spec: CameraCommandSpec<K>,
): CameraCommandLine {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      camera: { type: 'string' },
      [spec.option]: { type: 'string' },
    },
  });
  const [input, ...extra] = positionals;
  const { config, camera } = values;
  if (typeof config !== 'string' || typeof camera !== 'string') {
    throw new UsageError('--config and --camera are required');
  }
  if (input === undefined || extra.length > 0)
    throw new UsageError(`give exactly one ${spec.input}`);
  const option = values[spec.option];
  return { config, camera, input, option: typeof option === 'string' ? option : undefined };
}
