import { buildClientCrd, CLIENT_SCHEMA } from '@vigie/config';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../command.js';
import { formatObject, parseObjectFormat } from './output.js';

/** `vigie crd`: prints the `Client` CustomResourceDefinition. */
export const crdCommand: Command = {
  summary: 'Print the Client CustomResourceDefinition',
  help: `Usage: vigie crd [--output yaml|json]

Prints the Client CustomResourceDefinition, generated from the config schema. Install it with:

  npx vigie crd | kubectl apply --server-side -f -

Options:
  --output yaml|json  output format (default yaml)
  -h, --help          show this help
`,
  run(args, io) {
    const { values } = parseCommandArgs({
      args,
      options: { output: { type: 'string', default: 'yaml' } },
    });
    io.stdout(formatObject(buildClientCrd(CLIENT_SCHEMA), parseObjectFormat(values.output)));
    return Promise.resolve(0);
  },
};
