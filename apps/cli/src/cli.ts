import type { Command } from './command.js';
import { EXIT_USAGE, UsageError } from './command.js';
import type { CliIo } from './io.js';
import { crdCommand } from './commands/crd.js';
import { posesCommand } from './commands/poses.js';
import { renderCommand } from './commands/render.js';
import { replayCommand } from './commands/replay.js';
import { simulateCommand } from './commands/simulate.js';
import { upCommand } from './commands/up.js';
import { validateCommand } from './commands/validate.js';

const COMMANDS: Record<string, Command> = {
  validate: validateCommand,
  render: renderCommand,
  crd: crdCommand,
  replay: replayCommand,
  poses: posesCommand,
  simulate: simulateCommand,
  up: upCommand,
};

function usage(): string {
  const lines = [
    'Usage: vigie <command> [options]',
    '',
    "Vigie puts explainable shoplifting detection on a store's existing cameras.",
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`),
    '',
    'Run "vigie <command> --help" for a command\'s options.',
  ];
  return `${lines.join('\n')}\n`;
}

/** Runs the CLI with `args` (without the node and script paths) and returns the exit code. */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr(`vigie: unknown command "${name}"\n\n${usage()}`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.help);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`vigie ${name}: ${error.message}\n\n${command.help}`);
      return EXIT_USAGE;
    }
    throw error;
  }
}
