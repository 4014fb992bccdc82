import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';

/** What the CLI needs from the outside world, so that commands can be tested without a process. */
export interface CliIo {
  /** Reads at most `maxBytes + 1` bytes, so that an oversized file is detected without reading it all. */
  readonly readFile: (path: string, maxBytes: number) => Promise<Uint8Array>;
  /** Reads a text file line by line, without holding it all in memory; `-` is standard input. */
  readonly readLines: (path: string) => AsyncIterable<string>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Resolves with the signal's name on Ctrl-C (SIGINT) or SIGTERM; long-running commands wait on it. */
  readonly interrupted?: () => Promise<string>;
}

/**
 * The real file system and standard streams. A reader that goes away (`vigie validate … | head`)
 * ends the process quietly instead of with an EPIPE stack trace.
 */
export function createNodeIo(): CliIo {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  return {
    async readFile(path, maxBytes) {
      const handle = await open(path, 'r');
      try {
        const buffer = new Uint8Array(maxBytes + 1);
        let filled = 0;
        while (filled < buffer.length) {
          const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        return buffer.subarray(0, filled);
      } finally {
        await handle.close();
      }
    },
    readLines(path) {
      const input = path === '-' ? process.stdin : createReadStream(path, { encoding: 'utf8' });
      return createInterface({ input, crlfDelay: Infinity });
    },
    stdout: (text) => {
      process.stdout.write(text);
    },
    stderr: (text) => {
      process.stderr.write(text);
    },
    interrupted: () =>
      new Promise((resolve) => {
        process.once('SIGINT', () => {
          resolve('SIGINT');
        });
        process.once('SIGTERM', () => {
          resolve('SIGTERM');
        });
      }),
  };
}
