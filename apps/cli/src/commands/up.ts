import { resolve } from 'node:path';
import type { Severity } from '@vigie/log';
import { LocalPlatformError, startLocalPlatform } from '@vigie/local';
import type { Command } from '../command.js';
import { parseCommandArgs, UsageError } from '../command.js';

/** `vigie up`: runs the whole platform on this machine until Ctrl-C. */
export const upCommand: Command = {
  summary: 'Run all of Vigie on this machine: bucket folder, detectors and console',
  help: `Usage: vigie up [--data DIR] [--port N] [--host ADDRESS] [--metrics-port N]
                [--webhook-allow LIST] [--no-sample]

Runs every part of Vigie on this machine, with no cloud account and no cluster:
  - a folder plays the bucket: drop a client XML into DIR/bucket/client-configs/ to onboard a
    store, edit it to change the store live, delete it to remove the store; a broken file is
    reported next to it (NAME.xml.report.txt) and in the console, and changes nothing;
  - a supervisor runs the detectors of each client's plan as processes;
  - the console (review UI and API) runs on an embedded PostgreSQL (PGlite) in DIR/db;
  - metrics are served on 127.0.0.1 only, on a port of their own, as a pod serves them: they
    name every client, and the console's port may be reachable from elsewhere.
On a new data folder, a sample store is loaded whose cameras replay simulated store scenes:
an alert with evidence reaches the console within a minute. Everything is kept under DIR, so a
restart keeps alerts, clients and the admin token. Ctrl-C stops everything cleanly.

Options:
  --data DIR      where everything is kept (default .vigie)
  --port N        the console's port (default 8080; 0 picks a free one)
  --host ADDRESS  the console's address (default 127.0.0.1; 0.0.0.0 to reach it from elsewhere)
  --metrics-port N
                  the port of /metrics on 127.0.0.1 (default 9464; 0 picks a free one)
  --webhook-allow LIST
                  address ranges and exact host names that webhooks may reach although they
                  are internal, comma-separated, e.g. 127.0.0.1/32,192.168.1.0/24,hooks.lan
                  (default none: webhooks to loopback, private, link-local and other internal
                  addresses, localhost and one-label names fail with VIGIE_E_WEBHOOK_FORBIDDEN)
  --no-sample     do not load the sample store on a new data folder
  --verbose       also print the parts' routine messages
  -h, --help      show this help
`,
  async run(args, io) {
    const { values } = parseCommandArgs({
      args,
      allowPositionals: false,
      options: {
        data: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'metrics-port': { type: 'string' },
        'webhook-allow': { type: 'string' },
        'no-sample': { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
      },
    });
    const portText = values.port ?? '8080';
    const metricsPortText = values['metrics-port'] ?? '9464';
    for (const [name, text] of [
      ['--port', portText],
      ['--metrics-port', metricsPortText],
    ] as const) {
      if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
        throw new UsageError(`${name} must be a port number (0 to 65535)`);
      }
    }
    const quiet: readonly Severity[] = values.verbose ? [] : ['DEBUG', 'INFO', 'NOTICE'];
    const stamp = () => new Date().toISOString().slice(11, 19);
    io.stderr('vigie up: starting…\n');
    let platform;
    try {
      platform = await startLocalPlatform({
        dataDir: resolve(values.data ?? '.vigie'),
        host: values.host ?? '127.0.0.1',
        port: Number(portText),
        metricsPort: Number(metricsPortText),
        sample: !values['no-sample'],
        ...(values['webhook-allow'] === undefined ? {} : { webhookAllow: values['webhook-allow'] }),
        log: (severity, message, fields = {}) => {
          if (quiet.includes(severity) && !message.startsWith('detector')) return;
          const details = Object.entries(fields)
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ');
          io.stderr(`${stamp()} ${severity.padEnd(7)} ${message}${details ? ` ${details}` : ''}\n`);
        },
        onConfig: (line) => {
          io.stderr(`${stamp()} CONFIG  ${line}\n`);
        },
      });
    } catch (error) {
      if (error instanceof LocalPlatformError) {
        io.stderr(`vigie up: ${error.code}: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
    io.stdout(
      [
        '',
        'Vigie is running.',
        `  Console      ${platform.url}`,
        `  Admin token  ${platform.adminToken}`,
        `  Configs      ${platform.configsDir}  (drop, edit or delete client XML files here)`,
        `  Metrics      ${platform.metricsUrl}`,
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
    const signal = await (io.interrupted?.() ?? new Promise<string>(() => undefined));
    io.stderr(`\nvigie up: ${signal}, stopping…\n`);
    await platform.stop();
    io.stderr('vigie up: stopped.\n');
    return 0;
  },
};
