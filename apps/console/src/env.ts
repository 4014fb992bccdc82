/** The console's settings, read from its environment, with clear errors for bad values. */

import { errorMessage, type Severity } from '@vigie/log';
import type { WebhookAllowance } from './notify/address-policy.js';
import type { SmtpSettings } from './notify/email.js';
import { readAuthModes, readBootstrapAdmin, type AuthMode } from './settings/auth.js';
import { createEnvReader, type EnvReader } from './settings/env-reader.js';
import { readSmtp, readWebhookAllow } from './settings/notify.js';
import { readDatabaseUrl, readEvidence, type EvidenceSettings } from './settings/storage.js';

export type { AuthMode } from './settings/auth.js';

/** Everything `main.ts` needs. */
export interface ConsoleSettings {
  readonly databaseUrl: string;
  readonly evidence: EvidenceSettings;
  /** The config bucket, whose reports show refused uploads; none: reports are not shown. */
  readonly configBucket?: string;
  /** A storage endpoint other than Google's (an emulator). */
  readonly storageEndpoint?: string;
  /** Signed identities, besides console API tokens (always accepted). */
  readonly auth: readonly AuthMode[];
  /** An email granted admin at start, so that the first person can sign in. */
  readonly bootstrapAdmin?: string;
  readonly port: number;
  readonly metricsPort: number;
  readonly publicUrl?: string;
  readonly smtp?: SmtpSettings;
  /** A file holding the SMTP password (a mounted Secret). */
  readonly smtpPasswordFile?: string;
  /** What webhooks may reach despite the address rules (the internal network); none by default. */
  readonly webhookAllow?: WebhookAllowance;
  readonly uiDir?: string;
  readonly logLevel: Severity;
}

const LEVELS: readonly Severity[] = ['DEBUG', 'INFO', 'WARNING', 'ERROR'];

/** `VIGIE_LOG_LEVEL` (INFO). */
function readLogLevel(read: EnvReader): Severity {
  const level = (read.text('VIGIE_LOG_LEVEL') ?? 'INFO').toUpperCase();
  if (!(LEVELS as readonly string[]).includes(level)) {
    throw new Error(`VIGIE_LOG_LEVEL="${level}" must be DEBUG, INFO, WARNING or ERROR`);
  }
  return level as Severity;
}

/** `VIGIE_PUBLIC_URL`: the console's address, for links in notifications. */
function readPublicUrl(read: EnvReader): string | undefined {
  const value = read.text('VIGIE_PUBLIC_URL');
  return value === undefined ? undefined : read.url('VIGIE_PUBLIC_URL', value, ['https:', 'http:']);
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
}

/**
 * Reads:
 * - `DATABASE_URL` (required): `postgres://…`;
 * - `VIGIE_EVIDENCE_BUCKET`, or `VIGIE_EVIDENCE_DIR` (one is required);
 * - `VIGIE_CONFIG_BUCKET`, `VIGIE_STORAGE_ENDPOINT`;
 * - `VIGIE_AUTH`: a comma list of `iap` and `oidc` (console API tokens always work), with
 *   `VIGIE_IAP_AUDIENCE`, or `VIGIE_OIDC_ISSUER`, `VIGIE_OIDC_AUDIENCE` and
 *   `VIGIE_OIDC_JWKS_URL`; `VIGIE_BOOTSTRAP_ADMIN` (an email);
 * - `PORT` (8080), `VIGIE_METRICS_PORT` (9464), `VIGIE_PUBLIC_URL`, `VIGIE_UI_DIR`;
 * - `VIGIE_SMTP_HOST`, `VIGIE_SMTP_PORT` (587), `VIGIE_SMTP_SECURE` (false: STARTTLS is
 *   required instead), `VIGIE_SMTP_USER`, `VIGIE_SMTP_PASSWORD_FILE`, `VIGIE_SMTP_FROM`;
 * - `VIGIE_WEBHOOK_ALLOW`: address ranges (`10.20.0.0/16`, `fd00::/8`) and exact host names,
 *   comma-separated, that webhooks may reach although they are internal (loopback, private,
 *   link-local, the cluster's names…); none by default (`notify/address-policy.ts`);
 * - `VIGIE_LOG_LEVEL` (INFO).
 */
export function readConsoleSettings(
  env: Readonly<Record<string, string | undefined>>,
): ConsoleSettings | { error: string } {
  try {
    // Read in this order, so that of several bad settings the same one is named first.
    const read = createEnvReader(env);
    const databaseUrl = readDatabaseUrl(read);
    const evidence = readEvidence(read);
    const auth = readAuthModes(read);
    const bootstrapAdmin = readBootstrapAdmin(read);
    const smtp = readSmtp(read);
    const webhookAllow = readWebhookAllow(read);
    const logLevel = readLogLevel(read);
    return {
      databaseUrl,
      evidence,
      ...optional('configBucket', read.text('VIGIE_CONFIG_BUCKET')),
      ...optional('storageEndpoint', read.text('VIGIE_STORAGE_ENDPOINT')),
      auth,
      ...optional('bootstrapAdmin', bootstrapAdmin),
      port: read.port('PORT', 8080),
      metricsPort: read.port('VIGIE_METRICS_PORT', 9464),
      ...optional('publicUrl', readPublicUrl(read)),
      ...optional('smtp', smtp),
      ...optional('smtpPasswordFile', read.text('VIGIE_SMTP_PASSWORD_FILE')),
      ...optional('webhookAllow', webhookAllow),
      ...optional('uiDir', read.text('VIGIE_UI_DIR')),
      logLevel,
    };
  } catch (error) {
    return { error: errorMessage(error) };
  }
}
