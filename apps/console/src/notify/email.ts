/**
 * Alert emails: one plain-text and HTML message per alert and address, over SMTP, with the
 * snapshot attached when there is one. The SMTP server answers decide retries: 4xx and
 * connection failures are transient, 5xx are final.
 */

import { toError } from '@vigie/log';
import { createTransport } from 'nodemailer';
import { failure, type DeliveryOutcome } from './outcome.js';
import { ruleTitle, type AlertSummary } from './summary.js';

/** The console's SMTP server, shared by every client. */
export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (usually port 465); otherwise STARTTLS when the server offers it. */
  readonly secure: boolean;
  /** Refuse to send unless the connection is upgraded with STARTTLS. */
  readonly requireTls?: boolean;
  readonly user?: string;
  readonly password?: string;
  /** The sender, such as `Vigie <alerts@example.com>`. */
  readonly from: string;
  /** Extra trusted CA certificates (PEM), replacing the default roots when given. */
  readonly ca?: string | readonly string[];
  /** How long connecting, greeting and each command may take; 10 s by default. */
  readonly timeoutMs?: number;
}

/** An email ready to send. */
export interface AlertEmail {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** `<deliveryId@vigie>`: the same on every attempt, so that duplicates can be recognised. */
  readonly messageId: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly attachments: readonly {
    readonly filename: string;
    readonly contentType: string;
    readonly content: Uint8Array;
  }[];
}

/** What an alert email is made of. */
export interface AlertEmailInput {
  readonly summary: AlertSummary;
  readonly deliveryId: string;
  readonly from: string;
  readonly to: string;
  /** The store's IANA timezone, which times are written in; UTC when absent or unknown. */
  readonly timezone?: string;
  /** The snapshot (JPEG), attached when given. */
  readonly snapshot?: Uint8Array;
}

const oneLine = (value: string) => value.replace(/[\r\n]+/g, ' ').trim();

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** A time for people, in the store's timezone: `26 Nov 2026, 11:00:00 CET`. */
export function formatAlertTime(iso: string, timezone: string | undefined): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const options = { dateStyle: 'medium', timeStyle: 'long' } as const;
  try {
    return new Intl.DateTimeFormat('en-GB', { ...options, timeZone: timezone ?? 'UTC' }).format(at);
  } catch {
    return new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' }).format(at);
  }
}

/** The subject: `[Vigie] Concealment at Demo Store – Aisle 3`. */
export function alertSubject(summary: AlertSummary): string {
  return oneLine(
    `[Vigie] ${ruleTitle(summary.rule)} at ${summary.clientName} – ${summary.cameraName}`,
  );
}

const score = (summary: AlertSummary) =>
  summary.score === null
    ? undefined
    : summary.threshold === null
      ? summary.score.toFixed(2)
      : `${summary.score.toFixed(2)} (threshold ${summary.threshold.toFixed(2)})`;

/** The email for one alert and one address. */
export function renderAlertEmail(input: AlertEmailInput): AlertEmail {
  const { summary } = input;
  const headline = `${ruleTitle(summary.rule)} at ${summary.clientName} – ${summary.cameraName}`;
  const facts: [string, string][] = [
    ['Time', formatAlertTime(summary.detectedAt, input.timezone)],
    ...(score(summary) === undefined ? [] : [['Score', score(summary) ?? ''] as [string, string]]),
    ['Rules', summary.rules.join(', ')],
    ['Camera', `${summary.cameraName} (${summary.camera})`],
    ...(summary.url === undefined ? [] : [['Review', summary.url] as [string, string]]),
  ];
  const closing = input.snapshot
    ? 'The snapshot is attached. Vigie never identifies people.'
    : 'Vigie never identifies people.';
  const footer = `Vigie · alert ${summary.id} · delivery ${input.deliveryId}`;
  const text = [
    headline,
    '',
    summary.explanation,
    '',
    ...facts.map(([name, value]) => `${name}: ${value}`),
    '',
    closing,
    '',
    '-- ',
    footer,
    '',
  ].join('\n');
  const rows = facts
    .map(([name, value]) => {
      const shown =
        name === 'Review'
          ? `<a href="${escapeHtml(value)}">Open the alert in the console</a>`
          : escapeHtml(value);
      return `<tr><th align="left" style="padding-right:1em">${escapeHtml(name)}</th><td>${shown}</td></tr>`;
    })
    .join('\n');
  const html = [
    '<!doctype html>',
    '<html><body style="font-family:sans-serif">',
    `<h2>${escapeHtml(headline)}</h2>`,
    `<p>${escapeHtml(summary.explanation)}</p>`,
    `<table>\n${rows}\n</table>`,
    `<p>${escapeHtml(closing)}</p>`,
    `<p style="color:#666;font-size:small">${escapeHtml(footer)}</p>`,
    '</body></html>',
    '',
  ].join('\n');
  return {
    from: input.from,
    to: input.to,
    subject: alertSubject(summary),
    text,
    html,
    messageId: `<${input.deliveryId}@vigie>`,
    headers: { 'X-Vigie-Delivery': input.deliveryId, 'X-Vigie-Alert': summary.id },
    attachments: input.snapshot
      ? [{ filename: 'snapshot.jpg', contentType: 'image/jpeg', content: input.snapshot }]
      : [],
  };
}

/** Sends emails; every failure becomes an outcome, none is thrown. */
export interface Mailer {
  send(email: AlertEmail): Promise<DeliveryOutcome>;
  /** Closes the transport's connections. */
  close(): void;
}

/** The outcome of a nodemailer error: SMTP 4xx transient, 5xx final, no answer transient. */
export function smtpOutcome(thrown: unknown): DeliveryOutcome {
  const error = toError(thrown);
  const responseCode = (error as { responseCode?: unknown }).responseCode;
  if (typeof responseCode === 'number' && responseCode >= 500) {
    return failure('VIGIE_E_EMAIL_REJECTED', error.message, false);
  }
  if (typeof responseCode === 'number' && responseCode >= 400) {
    return failure('VIGIE_E_EMAIL_DEFERRED', error.message, true);
  }
  return failure('VIGIE_E_EMAIL_NETWORK', error.message, true);
}

/** A mailer over SMTP with nodemailer. */
export function createSmtpMailer(settings: SmtpSettings): Mailer {
  const timeout = settings.timeoutMs ?? 10_000;
  const transport = createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    requireTLS: settings.requireTls ?? false,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    ...(settings.user === undefined
      ? {}
      : { auth: { user: settings.user, pass: settings.password ?? '' } }),
    ...(settings.ca === undefined ? {} : { tls: { ca: [settings.ca].flat() } }),
  });
  return {
    async send(email) {
      try {
        await transport.sendMail({
          from: email.from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          html: email.html,
          messageId: email.messageId,
          headers: { ...email.headers },
          attachments: email.attachments.map((a) => ({
            filename: a.filename,
            contentType: a.contentType,
            content: Buffer.from(a.content),
          })),
        });
        return { ok: true };
      } catch (error) {
        return smtpOutcome(error);
      }
    },
    close() {
      transport.close();
    },
  };
}
