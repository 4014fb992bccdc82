/**
 * The alert as notifications tell it: the summary of the console's API, built purely from
 * the stored alert, whose body is the detector's (checked loosely, since the console stores
 * the body as it came).
 */

/** A stored alert, as the notifier reads it. */
export interface StoredAlert {
  readonly id: string;
  readonly client: string;
  readonly camera: string;
  readonly rule: string;
  /** ISO 8601. */
  readonly detectedAt: string;
  /** ISO 8601. */
  readonly receivedAt: string;
  /** The detector's alert: `cameraName`, `rules`, `score`, `threshold`, `explanation`… */
  readonly body: Readonly<Record<string, unknown>>;
}

/** What a notification says about an alert. Webhooks receive it as JSON. */
export interface AlertSummary {
  readonly id: string;
  readonly client: string;
  /** The store's name, for people. */
  readonly clientName: string;
  readonly camera: string;
  /** The camera's name, for people; the camera ID when the detector gave none. */
  readonly cameraName: string;
  readonly rule: string;
  readonly rules: readonly string[];
  readonly score: number | null;
  readonly threshold: number | null;
  readonly detectedAt: string;
  readonly receivedAt: string;
  readonly explanation: string;
  /** The alert's page in the console, when the console's URL is configured. */
  readonly url?: string;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

const number = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

/** The alert's page: `${consoleUrl}/alerts/${id}`. */
export function alertUrl(consoleUrl: string, id: string): string {
  return `${consoleUrl.replace(/\/+$/, '')}/alerts/${encodeURIComponent(id)}`;
}

/** The summary of a stored alert. */
export function summarizeAlert(
  alert: StoredAlert,
  options: { readonly clientName?: string; readonly consoleUrl?: string },
): AlertSummary {
  const { body } = alert;
  const rules = Array.isArray(body.rules)
    ? body.rules.filter((r): r is string => typeof r === 'string')
    : [];
  const summary: AlertSummary = {
    id: alert.id,
    client: alert.client,
    clientName: options.clientName ?? alert.client,
    camera: alert.camera,
    cameraName: text(body.cameraName) ?? alert.camera,
    rule: alert.rule,
    rules: rules.length > 0 ? rules : [alert.rule],
    score: number(body.score),
    threshold: number(body.threshold),
    detectedAt: alert.detectedAt,
    receivedAt: alert.receivedAt,
    explanation: text(body.explanation) ?? '',
  };
  return options.consoleUrl === undefined
    ? summary
    : { ...summary, url: alertUrl(options.consoleUrl, alert.id) };
}

/** A rule's name for people: `exit-without-payment` reads `Exit without payment`. */
export function ruleTitle(rule: string): string {
  const words = rule.replace(/[-_]+/g, ' ').trim();
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}`;
}
