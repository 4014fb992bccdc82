import { formatProblem } from '@vigie/config';
import type { Command } from '../command.js';
import { parseCommandArgs, UsageError } from '../command.js';
import { readConfig } from './read-config.js';

/** `vigie validate FILE...`: checks configs and prints one line per problem. */
export const validateCommand: Command = {
  summary: 'Check client configs; print FILE:LINE:COL: CODE message per problem',
  help: `Usage: vigie validate [--output text|json] FILE...

Checks each client config file: XML syntax, the schema, and semantic rules (zones, schedules,
references, URLs). Exits 0 when every file is valid, 1 otherwise, printing one line per problem:

  FILE:LINE:COL: CODE message

Codes are stable and listed in docs/config-reference.md.

Options:
  --output text|json  text (default) or one JSON object per file, for machines
  -h, --help          show this help
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs({
      args,
      allowPositionals: true,
      options: { output: { type: 'string', default: 'text' } },
    });
    if (values.output !== 'text' && values.output !== 'json') {
      throw new UsageError(`--output must be text or json, not "${values.output}"`);
    }
    if (positionals.length === 0) throw new UsageError('give at least one FILE');
    let invalid = 0;
    let problems = 0;
    for (const file of positionals) {
      const result = await readConfig(file, io);
      if (values.output === 'json') {
        const report = result.ok
          ? {
              file,
              valid: true,
              client: result.config.id,
              cameras: result.config.cameras.length,
              problems: [],
            }
          : { file, valid: false, problems: result.problems };
        io.stdout(`${JSON.stringify(report)}\n`);
      }
      if (result.ok) continue;
      invalid++;
      problems += result.problems.length;
      if (values.output === 'text') {
        for (const problem of result.problems) io.stdout(`${formatProblem(file, problem)}\n`);
      }
    }
    const files = positionals.length;
    if (invalid === 0) {
      io.stderr(`vigie: ${String(files)} ${files === 1 ? 'file' : 'files'} valid\n`);
      return 0;
    }
    io.stderr(
      `vigie: ${String(invalid)} of ${String(files)} ${files === 1 ? 'file' : 'files'} invalid, ${String(problems)} ${problems === 1 ? 'problem' : 'problems'}\n`,
    );
    return 1;
  },
};
