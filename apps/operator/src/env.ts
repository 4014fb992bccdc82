/** The operator's settings, read from its environment, with clear errors for bad values. */

import { formatIp, parseCidr, parseHostPort, parseIp } from './desired/addresses.js';
import type { OperatorSettings } from './desired/settings.js';
import { DEFAULT_SETTINGS } from './desired/settings.js';
import type { LeaseTimings } from './leader/lease.js';
import { DEFAULT_LEASE_TIMINGS } from './leader/lease.js';
import type { Severity } from '@vigie/log';
import { errorMessage } from '@vigie/log';

/** Everything `main.ts` needs. */
export interface EnvSettings {
  readonly settings: OperatorSettings;
  readonly identity: string | undefined;
  readonly workers: number;
  readonly resyncMs: number;
  readonly metricsAddress: string;
  readonly probeAddress: string;
  readonly logLevel: Severity;
  readonly leaderElection:
    { readonly namespace: string; readonly name: string; readonly timings: LeaseTimings } | false;
}

/**
 * Reads:
 * - `VIGIE_DETECTOR_IMAGE`, `VIGIE_CONSOLE_URL`: what detectors run and where they post alerts;
 * - `VIGIE_WORKERS` (8), `VIGIE_RESYNC_SECONDS` (600);
 * - `VIGIE_METRICS_ADDR` (`:8080`), `VIGIE_PROBE_ADDR` (`:8081`), `VIGIE_LOG_LEVEL` (INFO);
 * - `VIGIE_LEADER_ELECT` (true), `POD_NAMESPACE` (`vigie-system`), `VIGIE_LEASE_NAME`
 *   (`vigie-operator`), `VIGIE_LEASE_DURATION_SECONDS` (15), `VIGIE_RENEW_DEADLINE_SECONDS` (10),
 *   `VIGIE_RETRY_PERIOD_SECONDS` (2);
 * - `POD_NAME`: this replica's identity (default: the host name);
 * - `VIGIE_CAMERA_NETWORKS` (none): CIDRs where cameras named by a host name are;
 * - `VIGIE_DNS_ADDRESSES` (none): DNS servers that are not pods, such as `169.254.20.10`;
 * - `VIGIE_API_SERVER_ENDPOINTS` (from the `kubernetes` EndpointSlice): `address:port` items;
 * - `VIGIE_DETECTOR_SCRATCH_MIB` (256): each detector pod's scratch volume, half of it for the
 *   outbox.
 *
 * Lists are comma-separated.
 */
export function readSettings(
  env: Readonly<Record<string, string | undefined>>,
): EnvSettings | { error: string } {
  try {
    const int = (name: string, fallback: number, min: number, max: number) => {
      const raw = env[name];
      if (raw === undefined || raw === '') return fallback;
      const value = Number(raw);
      if (!Number.isInteger(value) || value < min || value > max) {
        throw new Error(
          `${name}="${raw}" must be a whole number from ${String(min)} to ${String(max)}`,
        );
      }
      return value;
    };
    const text = (name: string, fallback: string) => {
      const raw = env[name];
      return raw === undefined || raw.trim() === '' ? fallback : raw.trim();
    };
    const level = text('VIGIE_LOG_LEVEL', 'INFO').toUpperCase();
    if (!['DEBUG', 'INFO', 'WARNING', 'ERROR'].includes(level)) {
      throw new Error(`VIGIE_LOG_LEVEL="${level}" must be DEBUG, INFO, WARNING or ERROR`);
    }
    const elect = text('VIGIE_LEADER_ELECT', 'true').toLowerCase();
    if (elect !== 'true' && elect !== 'false') {
      throw new Error(`VIGIE_LEADER_ELECT="${elect}" must be true or false`);
    }
    const timings: LeaseTimings = {
      leaseDurationMs:
        int('VIGIE_LEASE_DURATION_SECONDS', DEFAULT_LEASE_TIMINGS.leaseDurationMs / 1000, 2, 300) *
        1000,
      renewDeadlineMs:
        int('VIGIE_RENEW_DEADLINE_SECONDS', DEFAULT_LEASE_TIMINGS.renewDeadlineMs / 1000, 1, 300) *
        1000,
      retryPeriodMs:
        int('VIGIE_RETRY_PERIOD_SECONDS', DEFAULT_LEASE_TIMINGS.retryPeriodMs / 1000, 1, 60) * 1000,
    };
    if (!(
      timings.retryPeriodMs < timings.renewDeadlineMs &&
      timings.renewDeadlineMs < timings.leaseDurationMs
    )) {
      throw new Error(
        'the retry period must be shorter than the renew deadline, itself shorter than the lease duration',
      );
    }
    const list = <T>(name: string, parse: (item: string) => T): T[] | undefined => {
      const raw = env[name];
      if (raw === undefined || raw.trim() === '') return undefined;
      return raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '')
        .map((item) => {
          try {
            return parse(item);
          } catch (error) {
            throw new Error(`${name}: ${errorMessage(error)}`);
          }
        });
    };
    const cameraNetworks = list('VIGIE_CAMERA_NETWORKS', parseCidr);
    const dnsAddresses = list('VIGIE_DNS_ADDRESSES', (item) => {
      const ip = parseIp(item);
      if (ip === undefined) throw new Error(`"${item}" is not an IP address`);
      return formatIp(ip);
    });
    const apiServerEndpoints = list('VIGIE_API_SERVER_ENDPOINTS', (item) => {
      const { ip, port } = parseHostPort(item);
      return { address: formatIp(ip), port };
    });
    if (apiServerEndpoints?.length === 0) {
      throw new Error('VIGIE_API_SERVER_ENDPOINTS names no endpoint');
    }
    const consoleUrl = text('VIGIE_CONSOLE_URL', DEFAULT_SETTINGS.consoleUrl);
    if (!/^https?:\/\//.test(consoleUrl)) {
      throw new Error(`VIGIE_CONSOLE_URL="${consoleUrl}" must be an http(s) URL`);
    }
    return {
      settings: {
        ...DEFAULT_SETTINGS,
        detectorImage: text('VIGIE_DETECTOR_IMAGE', DEFAULT_SETTINGS.detectorImage),
        consoleUrl,
        cameraNetworks: cameraNetworks ?? DEFAULT_SETTINGS.cameraNetworks,
        dnsAddresses: dnsAddresses ?? DEFAULT_SETTINGS.dnsAddresses,
        detectorScratchMiB: int(
          'VIGIE_DETECTOR_SCRATCH_MIB',
          DEFAULT_SETTINGS.detectorScratchMiB,
          16,
          65_536,
        ),
        ...(apiServerEndpoints === undefined ? {} : { apiServerEndpoints }),
      },
      identity: env.POD_NAME === undefined || env.POD_NAME === '' ? undefined : env.POD_NAME,
      workers: int('VIGIE_WORKERS', 8, 1, 128),
      resyncMs: int('VIGIE_RESYNC_SECONDS', 600, 10, 86_400) * 1000,
      metricsAddress: text('VIGIE_METRICS_ADDR', ':8080'),
      probeAddress: text('VIGIE_PROBE_ADDR', ':8081'),
      logLevel: level as Severity,
      leaderElection:
        elect === 'false'
          ? false
          : {
              namespace: text('POD_NAMESPACE', 'vigie-system'),
              name: text('VIGIE_LEASE_NAME', 'vigie-operator'),
              timings,
            },
    };
  } catch (error) {
    return { error: errorMessage(error) };
  }
}
