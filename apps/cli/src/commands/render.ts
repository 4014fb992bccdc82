import type { ConfigSource } from '@vigie/config';
import { formatProblem, toClientResource } from '@vigie/config';
import type { Command } from '../command.js';
import { parseCommandArgs, UsageError } from '../command.js';
import { formatObject, parseObjectFormat } from './output.js';
import { readConfig } from './read-config.js';

/** `vigie render FILE`: prints the `Client` resource that the config function would apply. */
export const renderCommand: Command = {
  summary: 'Print the Client resource that a config becomes',
  help: `Usage: vigie render [--output yaml|json] [--bucket NAME --object NAME --generation N] FILE

Prints the Client resource that the config function applies for FILE: the normalised config,
with every default filled in. With --bucket, --object and --generation, the resource records that
source, as it does when the file arrives through the bucket. An invalid FILE prints its problems
and exits 1.

Options:
  --output yaml|json  output format (default yaml)
  --bucket NAME       the bucket the file came from
  --object NAME       the object name (default: client-configs/<file name>)
  --generation N      the object generation
  -h, --help          show this help
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs({
      args,
      allowPositionals: true,
      options: {
        output: { type: 'string', default: 'yaml' },
        bucket: { type: 'string' },
        object: { type: 'string' },
        generation: { type: 'string' },
      },
    });
    const format = parseObjectFormat(values.output);
    const [file, ...extra] = positionals;
    if (file === undefined || extra.length > 0) throw new UsageError('give exactly one FILE');
    let source: ConfigSource | undefined;
    const { bucket, generation, object } = values;
    if (bucket !== undefined || generation !== undefined || object !== undefined) {
      if (bucket === undefined || generation === undefined) {
        throw new UsageError('--bucket and --generation go together (and --object needs them)');
      }
      if (bucket === '' || !/^[0-9]+$/.test(generation) || object === '') {
        throw new UsageError(
          'the bucket and object must not be empty, and the generation is a number',
        );
      }
      source = {
        bucket,
        generation,
        object: object ?? `client-configs/${file.split('/').at(-1) ?? file}`,
      };
    }
    const result = await readConfig(file, io);
    if (!result.ok) {
      for (const problem of result.problems) io.stdout(`${formatProblem(file, problem)}\n`);
      return 1;
    }
    io.stdout(formatObject(toClientResource(result.config, source), format));
    return 0;
  },
};
