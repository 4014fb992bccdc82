/**
 * Who hears about an alert, decided purely: one verdict per target of the client's
 * `spec.alerts`, either send or group. The notifier carries the verdicts out.
 *
 * Grouping: an alert of a client's camera that comes within `cooldownSeconds` of an alert
 * already notified to the same target on the same camera (pending or sent) is grouped into
 * that one and not sent, so that staff get one message per incident. The window is counted
 * from the notified alert, not slid along by grouped ones, so a long incident is reminded
 * every cooldown. An alert whose notification failed for good holds nothing back.
 */

import type { Alerts } from '@vigie/config';

/** Where a notification goes. */
export type Target =
  | { readonly kind: 'webhook'; readonly url: string; readonly secretRef: string }
  | { readonly kind: 'email'; readonly address: string };

/** A target's kind. */
export type TargetKind = Target['kind'];

/** The alert being planned for. */
export interface PlannedAlert {
  readonly id: string;
  readonly client: string;
  readonly camera: string;
  /** ISO 8601. */
  readonly detectedAt: string;
}

/** An alert of the same client and camera already notified (pending or sent) to a target. */
export interface NotifiedAlert {
  readonly alertId: string;
  readonly kind: TargetKind;
  /** The URL or the address, as {@link targetAddress} gives it. */
  readonly target: string;
  /** ISO 8601. */
  readonly detectedAt: string;
}

/** The verdict for one target. */
export type TargetVerdict =
  | { readonly action: 'send'; readonly target: Target }
  | { readonly action: 'group'; readonly target: Target; readonly into: string };

/** What {@link planNotifications} takes. */
export interface PlanInput {
  readonly alert: PlannedAlert;
  readonly settings: Alerts;
  /** Notified alerts of this client and camera, at least those within the cooldown. */
  readonly recent: readonly NotifiedAlert[];
}

/** The URL of a webhook or the address of an email target: what identifies it. */
export function targetAddress(target: Target): string {
  switch (target.kind) {
    case 'webhook':
      return target.url;
    case 'email':
      return target.address;
  }
}

/** The targets of a client's alert settings, each once. */
export function targetsOf(settings: Alerts): Target[] {
  const seen = new Set<string>();
  const targets: Target[] = [];
  const add = (target: Target) => {
    const key = `${target.kind} ${targetAddress(target)}`;
    if (seen.has(key)) return;
    seen.add(key);
    targets.push(target);
  };
  for (const hook of settings.webhooks) {
    add({ kind: 'webhook', url: hook.url, secretRef: hook.secretRef });
  }
  for (const email of settings.emails) add({ kind: 'email', address: email.address });
  return targets;
}

/**
 * The span of detection times whose notified alerts may absorb this one: the cooldown on
 * either side, since alerts can arrive out of order.
 */
export function cooldownWindow(alert: PlannedAlert, settings: Alerts): { from: Date; to: Date } {
  const at = Date.parse(alert.detectedAt);
  const span = Math.max(0, settings.cooldownSeconds) * 1000;
  return { from: new Date(at - span), to: new Date(at + span) };
}

/**
 * The notified alert this one belongs with, for one target: the latest one at or before it
 * within the cooldown, or else the earliest one after it within the cooldown.
 */
function incidentOf(
  alert: PlannedAlert,
  cooldownMs: number,
  candidates: readonly NotifiedAlert[],
): NotifiedAlert | undefined {
  const at = Date.parse(alert.detectedAt);
  let before: { lead: NotifiedAlert; t: number } | undefined;
  let after: { lead: NotifiedAlert; t: number } | undefined;
  for (const lead of candidates) {
    const t = Date.parse(lead.detectedAt);
    if (Number.isNaN(t) || Math.abs(at - t) >= cooldownMs) continue;
    if (t <= at) {
      if (before === undefined || t > before.t) before = { lead, t };
    } else if (after === undefined || t < after.t) {
      after = { lead, t };
    }
  }
  return (before ?? after)?.lead;
}

/** One verdict per target, in the order of the settings (webhooks, then emails). */
export function planNotifications(input: PlanInput): TargetVerdict[] {
  const { alert, settings, recent } = input;
  const cooldownMs = Math.max(0, settings.cooldownSeconds) * 1000;
  return targetsOf(settings).map((target): TargetVerdict => {
    const address = targetAddress(target);
    const lead = incidentOf(
      alert,
      cooldownMs,
      recent.filter(
        (r) => r.kind === target.kind && r.target === address && r.alertId !== alert.id,
      ),
    );
    return lead === undefined
      ? { action: 'send', target }
      : { action: 'group', target, into: lead.alertId };
  });
}
