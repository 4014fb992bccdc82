/** Small pieces every page uses: badges, times, scores, keys, links, notices. */

import type { ComponentChildren } from 'preact';
import { absoluteTime, relativeTime, ruleLabel, score } from '../format.js';
import { useNow } from '../hooks.js';
import { followLink } from '../router.js';
import type { AlertStatus, CameraState, ClientState } from '../types.js';

/** A link inside the console, followed without reloading. */
export function Link(props: {
  readonly to: string;
  readonly class?: string;
  readonly children: ComponentChildren;
  readonly title?: string;
}) {
  return (
    <a
      href={props.to}
      class={props.class}
      title={props.title}
      onClick={(event) => {
        followLink(event, props.to);
      }}
    >
      {props.children}
    </a>
  );
}

const STATUS_LABEL: Record<AlertStatus, string> = {
  new: 'New',
  confirmed: 'Confirmed',
  dismissed: 'Dismissed',
};

/** An alert's review status. */
export function StatusBadge(props: { readonly status: AlertStatus }) {
  return (
    <span class={`badge status-${props.status}`} data-status={props.status}>
      {STATUS_LABEL[props.status]}
    </span>
  );
}

/** A camera's health. */
export function CameraStateBadge(props: { readonly state: CameraState }) {
  return (
    <span class={`badge camera-${props.state.toLowerCase()}`} data-state={props.state}>
      <span class="dot" aria-hidden="true" />
      {props.state}
    </span>
  );
}

/** A client's config state. */
export function ClientStateBadge(props: { readonly state: ClientState }) {
  return (
    <span class={`badge client-${props.state.toLowerCase()}`} data-state={props.state}>
      {props.state}
    </span>
  );
}

/** A rule's name. */
export function RuleTag(props: { readonly rule: string; readonly muted?: boolean }) {
  return (
    <span class={props.muted === true ? 'rule muted' : 'rule'} data-rule={props.rule}>
      {ruleLabel(props.rule)}
    </span>
  );
}

/** A time, relative, with the absolute time on hover. */
export function Time(props: { readonly iso: string }) {
  const now = useNow();
  return (
    <time dateTime={props.iso} title={absoluteTime(props.iso)}>
      {relativeTime(props.iso, now)}
    </time>
  );
}

/** A score against its threshold: the figure, and a bar whose mark is the threshold. */
export function ScoreMeter(props: {
  readonly score: number | undefined;
  readonly threshold: number | undefined;
}) {
  const { score: value, threshold } = props;
  if (value === undefined) return <span class="muted">—</span>;
  if (threshold === undefined || threshold <= 0) {
    return <span class="score-figure">{score(value)}</span>;
  }
  const scale = Math.max(value, threshold * 2);
  const fill = Math.min(100, (value / scale) * 100);
  const mark = (threshold / scale) * 100;
  const ratio = value / threshold;
  return (
    <span
      class="score"
      title={`Score ${score(value)} against a threshold of ${score(threshold)} (${ratio.toFixed(1)}×)`}
    >
      <span class="score-figure">
        {score(value)}
        <span class="score-threshold"> / {score(threshold)}</span>
      </span>
      <span class="score-bar" aria-hidden="true">
        <span
          class={ratio >= 1.5 ? 'score-fill high' : 'score-fill'}
          style={{ width: `${fill.toFixed(1)}%` }}
        />
        <span class="score-mark" style={{ left: `${mark.toFixed(1)}%` }} />
      </span>
    </span>
  );
}

/** A key, as shortcut hints show it. */
export function Kbd(props: { readonly children: ComponentChildren }) {
  return <kbd>{props.children}</kbd>;
}

/** A line of shortcut hints. */
export function KeyHints(props: { readonly hints: readonly (readonly [string, string])[] }) {
  return (
    <div class="key-hints" aria-label="Keyboard shortcuts">
      {props.hints.map(([key, what]) => (
        <span key={key}>
          <Kbd>{key}</Kbd> {what}
        </span>
      ))}
    </div>
  );
}

/** A failure to load, with a way to retry. */
export function ErrorNotice(props: { readonly message: string; readonly onRetry?: () => void }) {
  return (
    <div class="notice error" role="alert">
      <span>{props.message}</span>
      {props.onRetry && (
        <button type="button" class="button small" onClick={props.onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

/** A quiet line while something loads. */
export function Loading(props: { readonly what: string }) {
  return (
    <div class="loading" aria-busy="true">
      Loading {props.what}…
    </div>
  );
}

/** A page's title row. */
export function PageHead(props: {
  readonly title: ComponentChildren;
  readonly sub?: ComponentChildren;
  readonly children?: ComponentChildren;
}) {
  return (
    <div class="page-head">
      <div>
        <h1>{props.title}</h1>
        {props.sub !== undefined && <div class="page-sub">{props.sub}</div>}
      </div>
      {props.children !== undefined && <div class="page-actions">{props.children}</div>}
    </div>
  );
}
