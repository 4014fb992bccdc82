/**
 * One alert: the snapshot with its overlay, the clip, why the rules fired, and the review.
 * c confirms, d dismisses, n writes a note, j and k go to the next and previous alert.
 */

import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../api.js';
import {
  ErrorNotice,
  KeyHints,
  Kbd,
  Link,
  Loading,
  RuleTag,
  ScoreMeter,
  StatusBadge,
  Time,
} from '../components/bits.js';
import { Snapshot } from '../components/snapshot.js';
import { useSession } from '../context.js';
import { absoluteTime, offsetSeconds, ruleLabel } from '../format.js';
import { describeError, useBlobUrl, useLoad } from '../hooks.js';
import { useShortcuts } from '../keys.js';
import { currentOrder, extendOrder, neighbours, rememberOrder } from '../order.js';
import { navigate } from '../router.js';
import { setPageTitle } from '../title.js';
import type { AlertDetail, Firing, Review, Verdict, ZoneOutline } from '../types.js';

/** The alert page. */
export function AlertPage(props: { readonly id: string }) {
  const { api } = useSession();
  const [alert, reload] = useLoad(() => api.alert(props.id), [api, props.id]);
  const [overlay, setOverlay] = useState(true);
  const noteRef = useRef<HTMLTextAreaElement>(null);
  const value = alert.state === 'done' ? alert.value : undefined;

  const [zones] = useLoad(async (): Promise<readonly ZoneOutline[]> => {
    if (value === undefined) return [];
    const client = await api.client(value.client);
    return client.specCameras?.find((c) => c.id === value.camera)?.zones ?? [];
  }, [api, value?.client, value?.camera]);
  const snapshot = useBlobUrl(
    value?.evidence.includes('snapshot') === true
      ? () => api.evidence(props.id, 'snapshot')
      : undefined,
    [api, props.id, value?.evidence.includes('snapshot')],
  );
  const clip = useBlobUrl(
    value?.evidence.includes('clip') === true ? () => api.evidence(props.id, 'clip') : undefined,
    [api, props.id, value?.evidence.includes('clip')],
  );

  useEffect(() => {
    setPageTitle(value ? `${ruleLabel(value.rule)} · ${value.cameraName}` : 'Alert');
  }, [value]);

  useEffect(() => {
    void seedOrder(api, props.id);
  }, [api, props.id]);

  const go = async (direction: 'older' | 'newer') => {
    const near = neighbours(props.id);
    const target = near[direction];
    if (target !== undefined) {
      navigate(`/alerts/${encodeURIComponent(target)}`);
      return;
    }
    const order = currentOrder();
    if (direction === 'older' && near.last && order.nextCursor !== undefined) {
      const page = await api.alerts({ ...order.query, limit: 50, cursor: order.nextCursor });
      extendOrder(
        page.alerts.map((a) => a.id),
        page.nextCursor,
      );
      const next = neighbours(props.id).older;
      if (next !== undefined) navigate(`/alerts/${encodeURIComponent(next)}`);
    }
  };

  const inbox = `/${currentOrder().search}`;
  useShortcuts({
    j: () => void go('older'),
    k: () => void go('newer'),
    o: () => {
      setOverlay((v) => !v);
    },
    n: () => noteRef.current?.focus(),
    Escape: () => {
      navigate(inbox);
    },
  });

  const near = neighbours(props.id);
  return (
    <main class="page alert-page">
      <div class="crumbs">
        <Link to={inbox}>← Alerts</Link>
        <span class="crumb-sep">/</span>
        <span class="mono">{props.id}</span>
        <span class="crumb-nav">
          <button
            type="button"
            class="button ghost small"
            disabled={near.newer === undefined}
            onClick={() => void go('newer')}
            title="Previous (newer) alert"
          >
            <Kbd>k</Kbd> Previous
          </button>
          <button
            type="button"
            class="button ghost small"
            disabled={
              near.older === undefined && !(near.last && currentOrder().nextCursor !== undefined)
            }
            onClick={() => void go('older')}
            title="Next (older) alert"
          >
            Next <Kbd>j</Kbd>
          </button>
        </span>
      </div>
      {alert.state === 'loading' && <Loading what="the alert" />}
      {alert.state === 'failed' && (
        <ErrorNotice
          message={
            alert.status === 404
              ? 'This alert does not exist, or it belongs to a client you cannot see.'
              : `The alert could not be loaded: ${alert.message}`
          }
          {...(alert.status === 404 ? {} : { onRetry: reload })}
        />
      )}
      {value && (
        <>
          <div class="alert-head">
            <div>
              <h1>
                {ruleLabel(value.rule)}
                <span class="alert-head-camera"> · {value.cameraName}</span>
              </h1>
              <div class="page-sub">
                <span>{value.client}</span>
                <span class="sep">·</span>
                <Time iso={value.detectedAt} />
                <span class="sep">·</span>
                <span class="mono">{absoluteTime(value.detectedAt)}</span>
              </div>
            </div>
            <StatusBadge status={value.status} />
          </div>
          <div class="alert-grid">
            <section class="panel evidence-panel" aria-label="Evidence">
              <div class="panel-head">
                <h2>Snapshot</h2>
                <label class="toggle">
                  <input
                    type="checkbox"
                    checked={overlay}
                    data-testid="overlay-toggle"
                    onChange={(event) => {
                      setOverlay(event.currentTarget.checked);
                    }}
                  />
                  Overlay <Kbd>o</Kbd>
                </label>
              </div>
              <Snapshot
                url={snapshot}
                showOverlay={overlay}
                alt={`Snapshot of ${value.cameraName} at ${absoluteTime(value.detectedAt)}`}
                overlay={{
                  zones: zones.state === 'done' ? zones.value : [],
                  ...(value.body.box === undefined ? {} : { box: value.body.box }),
                  ...(value.body.trackId === undefined ? {} : { trackId: value.body.trackId }),
                  ...(value.body.width === undefined ? {} : { width: value.body.width }),
                  ...(value.body.height === undefined ? {} : { height: value.body.height }),
                  ...(value.body.zone === undefined ? {} : { zoneId: value.body.zone.id }),
                }}
              />
              {clip !== undefined && (
                <div class="clip">
                  <h2>Clip</h2>
                  {clip.state === 'done' && (
                    <video
                      src={clip.value}
                      controls
                      preload="auto"
                      class="clip-video"
                      data-testid="clip"
                    />
                  )}
                  {clip.state === 'loading' && <div class="snapshot-empty">Loading clip…</div>}
                  {clip.state === 'failed' && (
                    <div class="snapshot-empty error">
                      The clip could not be loaded: {clip.message}
                    </div>
                  )}
                </div>
              )}
            </section>
            <aside class="alert-side">
              <ReviewPanel api={api} alert={value} noteRef={noteRef} onReviewed={reload} />
              <Explanation alert={value} />
              <Details alert={value} />
            </aside>
          </div>
          <KeyHints
            hints={[
              ['c', 'confirm'],
              ['d', 'dismiss'],
              ['n', 'note'],
              ['j', 'next'],
              ['k', 'previous'],
              ['o', 'overlay'],
              ['Esc', 'inbox'],
            ]}
          />
        </>
      )}
    </main>
  );
}

/** When the page was opened directly, takes the inbox's first page as the order to follow. */
async function seedOrder(api: Api, id: string): Promise<void> {
  if (currentOrder().ids.includes(id)) return;
  try {
    const page = await api.alerts({ limit: 50 });
    rememberOrder({
      search: '',
      ids: page.alerts.map((a) => a.id),
      query: {},
      nextCursor: page.nextCursor,
    });
  } catch {
    // Without an order, next and previous stay disabled; the page itself still works.
  }
}

function ReviewPanel(props: {
  readonly api: Api;
  readonly alert: AlertDetail;
  readonly noteRef: { current: HTMLTextAreaElement | null };
  readonly onReviewed: () => void;
}) {
  const { alert } = props;
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState<Verdict | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);

  useEffect(() => {
    setNote('');
    setError(undefined);
  }, [alert.id]);

  const review = async (verdict: Verdict) => {
    if (busy !== undefined) return;
    setBusy(verdict);
    setError(undefined);
    try {
      await props.api.review(alert.id, verdict, note);
      setNote('');
      props.onReviewed();
    } catch (thrown) {
      setError(describeError(thrown).message);
    } finally {
      setBusy(undefined);
    }
  };

  useShortcuts({
    c: () => void review('confirmed'),
    d: () => void review('dismissed'),
  });

  const earlier = alert.history.filter(
    (h) => alert.review === undefined || h.at !== alert.review.at || h.by !== alert.review.by,
  );
  return (
    <section class="panel review-panel" aria-label="Review">
      <div class="panel-head">
        <h2>Review</h2>
      </div>
      {alert.review ? (
        <ReviewLine review={alert.review} current />
      ) : (
        <p class="muted small">Not reviewed yet. Confirm a real incident, dismiss a false alarm.</p>
      )}
      <label for="review-note" class="field-label">
        Note <span class="muted">(optional)</span> <Kbd>n</Kbd>
      </label>
      <textarea
        id="review-note"
        ref={props.noteRef}
        class="input"
        rows={2}
        placeholder="What you saw, for the record"
        value={note}
        maxLength={2000}
        onInput={(event) => {
          setNote(event.currentTarget.value);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
            event.preventDefault();
            event.currentTarget.blur();
          }
        }}
      />
      <div class="review-actions">
        <button
          type="button"
          class="button confirm"
          disabled={busy !== undefined}
          data-testid="confirm"
          onClick={() => void review('confirmed')}
        >
          {busy === 'confirmed' ? 'Confirming…' : 'Confirm'} <Kbd>c</Kbd>
        </button>
        <button
          type="button"
          class="button dismiss"
          disabled={busy !== undefined}
          data-testid="dismiss"
          onClick={() => void review('dismissed')}
        >
          {busy === 'dismissed' ? 'Dismissing…' : 'Dismiss'} <Kbd>d</Kbd>
        </button>
      </div>
      {error !== undefined && (
        <div class="notice error" role="alert">
          The review was not saved: {error}
        </div>
      )}
      {earlier.length > 0 && (
        <div class="history">
          <div class="field-label">Earlier</div>
          {earlier.map((h) => (
            <ReviewLine key={`${h.at}-${h.by}`} review={h} />
          ))}
        </div>
      )}
    </section>
  );
}

function ReviewLine(props: { readonly review: Review; readonly current?: boolean }) {
  const { review } = props;
  return (
    <div
      class={props.current === true ? 'review-line current' : 'review-line'}
      data-testid={props.current === true ? 'review' : undefined}
    >
      <div>
        <StatusBadge status={review.verdict} /> by <strong>{review.by}</strong>{' '}
        {review.at !== '' && <Time iso={review.at} />}
      </div>
      {review.note !== undefined && <blockquote class="review-note">{review.note}</blockquote>}
    </div>
  );
}

function Explanation(props: { readonly alert: AlertDetail }) {
  const { alert } = props;
  const firings = alert.body.firings;
  return (
    <section class="panel" aria-label="Why this alert">
      <div class="panel-head">
        <h2>Why</h2>
        <ScoreMeter score={alert.score} threshold={alert.threshold} />
      </div>
      {alert.explanation !== '' && <p class="explanation">{alert.explanation}</p>}
      <div class="rules-involved">
        {alert.rules.map((r) => (
          <RuleTag key={r} rule={r} />
        ))}
      </div>
      {firings.length > 0 && (
        <ol class="firings" data-testid="firings">
          {firings.map((f, i) => (
            <FiringItem key={`${f.rule}-${String(f.t)}-${String(i)}`} firing={f} />
          ))}
        </ol>
      )}
    </section>
  );
}

function FiringItem(props: { readonly firing: Firing }) {
  const { firing } = props;
  const start = Math.min(firing.t, ...firing.evidence.map((m) => m.t));
  return (
    <li class="firing">
      <div class="firing-head">
        <RuleTag rule={firing.rule} />
        {firing.zone && <span class="zone-ref">{firing.zone.name}</span>}
        {firing.strength < 1 && (
          <span class="muted small" title="How strong the sign is, 1 being the full behaviour">
            strength {firing.strength.toFixed(2)}
          </span>
        )}
      </div>
      <p class="firing-explanation">{firing.explanation}</p>
      {firing.evidence.length > 0 && (
        <ul class="moments">
          {firing.evidence.map((m, i) => (
            <li key={`${String(m.t)}-${String(i)}`}>
              <span class="moment-t mono">{offsetSeconds(m.t - start)}</span>
              <span>{m.what}</span>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

function Details(props: { readonly alert: AlertDetail }) {
  const { alert } = props;
  const rows: [string, string][] = [
    ['Client', alert.client],
    [
      'Camera',
      alert.cameraName === alert.camera ? alert.camera : `${alert.cameraName} (${alert.camera})`,
    ],
    ['Detected', absoluteTime(alert.detectedAt)],
    ['Received', absoluteTime(alert.receivedAt)],
  ];
  if (alert.body.trackId !== undefined) rows.push(['Track', String(alert.body.trackId)]);
  if (alert.body.zone) rows.push(['Zone', `${alert.body.zone.name} (${alert.body.zone.type})`]);
  if (alert.body.sensitivity !== undefined) rows.push(['Sensitivity', alert.body.sensitivity]);
  rows.push(['Alert ID', alert.id]);
  return (
    <section class="panel" aria-label="Details">
      <div class="panel-head">
        <h2>Details</h2>
      </div>
      <dl class="details">
        {rows.map(([k, v]) => (
          <Fragment key={k}>
            <dt>{k}</dt>
            <dd class={k === 'Alert ID' ? 'mono' : undefined}>{v}</dd>
          </Fragment>
        ))}
      </dl>
    </section>
  );
}
