/** The console's settings, read from its environment, with clear errors for bad values. */

import type { Severity } from '@vigie/log';
import { parseWebhookAllowance, type WebhookAllowance } from './notify/address-policy.js';
import type { SmtpSettings } from './notify/email.js';

/** How people sign in. */
export type AuthMode =
  | { readonly kind: 'iap'; readonly audience: string }
  | {
      readonly kind: 'oidc';
      readonly issuer: string;
      readonly audience: string;
      readonly jwksUrl: string;
    };

/** Everything `main.ts` needs. */
export interface ConsoleSettings {
  readonly databaseUrl: string;
  readonly evidence:
    | { readonly kind: 'bucket'; readonly bucket: string }
    | { readonly kind: 'folder'; readonly dir: string };
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
    const text = (name: string): string | undefined => {
      const raw = env[name]?.trim();
      return raw === undefined || raw === '' ? undefined : raw;
    };
    const required = (name: string, why: string): string => {
      const value = text(name);
      if (value === undefined) throw new Error(`${name} is required: ${why}`);
      return value;
    };
    const port = (name: string, fallback: number): number => {
      const raw = text(name);
      if (raw === undefined) return fallback;
      const value = Number(raw);
      if (!Number.isInteger(value) || value < 1 || value > 65535) {
        throw new Error(`${name}="${raw}" must be a port number`);
      }
      return value;
    };
    const url = (name: string, value: string, schemes: readonly string[]): string => {
      let parsed: URL;
      try {
        parsed = new URL(value);
      } catch {
        throw new Error(`${name}="${value}" is not a URL`);
      }
      if (!schemes.includes(parsed.protocol)) {
        throw new Error(`${name} must be a ${schemes.join(' or ')} URL`);
      }
      return value;
    };

    const databaseUrl = url(
      'DATABASE_URL',
      required('DATABASE_URL', 'the PostgreSQL database alerts are kept in'),
      ['postgres:', 'postgresql:'],
    );
    const bucket = text('VIGIE_EVIDENCE_BUCKET');
    const dir = text('VIGIE_EVIDENCE_DIR');
    if (bucket === undefined && dir === undefined) {
      throw new Error(
        'VIGIE_EVIDENCE_BUCKET (or VIGIE_EVIDENCE_DIR) is required: where snapshots and clips are kept',
      );
    }
    const auth: AuthMode[] = [];
    for (const mode of (text('VIGIE_AUTH') ?? '')
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean)) {
      if (mode === 'iap') {
        auth.push({
          kind: 'iap',
          audience: required('VIGIE_IAP_AUDIENCE', '/projects/NUMBER/global/backendServices/ID'),
        });
      } else if (mode === 'oidc') {
        auth.push({
          kind: 'oidc',
          issuer: url('VIGIE_OIDC_ISSUER', required('VIGIE_OIDC_ISSUER', 'the OIDC issuer URL'), [
            'https:',
          ]),
          audience: required('VIGIE_OIDC_AUDIENCE', "the console's OIDC client ID"),
          jwksUrl: url(
            'VIGIE_OIDC_JWKS_URL',
            required('VIGIE_OIDC_JWKS_URL', "the issuer's signing keys (JWKS) URL"),
            ['https:'],
          ),
        });
      } else {
        throw new Error(`VIGIE_AUTH has "${mode}": use iap, oidc or both (comma-separated)`);
      }
    }
    const bootstrapAdmin = text('VIGIE_BOOTSTRAP_ADMIN');
    if (bootstrapAdmin !== undefined && !/^[^@\s]+@[^@\s]+$/.test(bootstrapAdmin)) {
      throw new Error(`VIGIE_BOOTSTRAP_ADMIN="${bootstrapAdmin}" must be an email`);
    }
    const smtpHost = text('VIGIE_SMTP_HOST');
    const secure = (text('VIGIE_SMTP_SECURE') ?? 'false').toLowerCase();
    if (secure !== 'true' && secure !== 'false') {
      throw new Error('VIGIE_SMTP_SECURE must be true (TLS from the start) or false (STARTTLS)');
    }
    const user = text('VIGIE_SMTP_USER');
    const smtp: SmtpSettings | undefined =
      smtpHost === undefined
        ? undefined
        : {
            host: smtpHost,
            port: port('VIGIE_SMTP_PORT', 587),
            secure: secure === 'true',
            requireTls: secure !== 'true',
            from: required('VIGIE_SMTP_FROM', 'the sender of alert emails'),
            ...(user === undefined ? {} : { user }),
          };
    const allowText = text('VIGIE_WEBHOOK_ALLOW');
    const webhookAllow = allowText === undefined ? undefined : parseWebhookAllowance(allowText);
    if (webhookAllow !== undefined && 'error' in webhookAllow) throw new Error(webhookAllow.error);
    const level = (text('VIGIE_LOG_LEVEL') ?? 'INFO').toUpperCase();
    if (!['DEBUG', 'INFO', 'WARNING', 'ERROR'].includes(level)) {
      throw new Error(`VIGIE_LOG_LEVEL="${level}" must be DEBUG, INFO, WARNING or ERROR`);
    }
    const optional = <K extends string, V>(key: K, value: V | undefined) =>
      (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
    const publicUrl = text('VIGIE_PUBLIC_URL');
    return {
      databaseUrl,
      evidence:
        bucket !== undefined ? { kind: 'bucket', bucket } : { kind: 'folder', dir: dir ?? '' },
      ...optional('configBucket', text('VIGIE_CONFIG_BUCKET')),
      ...optional('storageEndpoint', text('VIGIE_STORAGE_ENDPOINT')),
      auth,
      ...optional('bootstrapAdmin', bootstrapAdmin),
      port: port('PORT', 8080),
      metricsPort: port('VIGIE_METRICS_PORT', 9464),
      ...optional(
        'publicUrl',
        publicUrl === undefined
          ? undefined
          : url('VIGIE_PUBLIC_URL', publicUrl, ['https:', 'http:']),
      ),
      ...optional('smtp', smtp),
      ...optional('smtpPasswordFile', text('VIGIE_SMTP_PASSWORD_FILE')),
      ...optional('webhookAllow', webhookAllow),
      ...optional('uiDir', text('VIGIE_UI_DIR')),
      logLevel: level as Severity,
    };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
