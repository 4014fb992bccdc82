/**
 * The alert inbox: newest first, filtered by the address's query, paged with the API's cursor,
 * and fed live by the event stream. j and k move, Enter opens.
 */

import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { AlertQuery } from '../api.js';
import {
  ErrorNotice,
  KeyHints,
  Link,
  Loading,
  PageHead,
  RuleTag,
  ScoreMeter,
  StatusBadge,
  Time,
} from '../components/bits.js';
import { EvidenceIcons } from '../components/evidence-icons.js';
import { useLive, useSession } from '../context.js';
import type { InboxFilters, RangeKey } from '../filters.js';
import {
  anyFilter,
  fromLocalInput,
  matches,
  RANGES,
  readFilters,
  toLocalInput,
  toQuery,
  writeFilters,
} from '../filters.js';
import { ruleLabel } from '../format.js';
import { describeError, useLoad } from '../hooks.js';
import { useShortcuts } from '../keys.js';
import { rememberOrder } from '../order.js';
import { navigate } from '../router.js';
import { setPageTitle } from '../title.js';
import type { AlertSummary, CameraHealth, ClientView } from '../types.js';
import { ALERT_STATUSES, RULES } from '../types.js';

const PAGE = 50;
/** How long a live arrival stays highlighted. */
const FRESH_MS = 8000;

interface List {
  readonly state: 'loading' | 'done' | 'failed';
  readonly alerts: readonly AlertSummary[];
  readonly nextCursor?: string;
  readonly message?: string;
}

/** The inbox page. */
export function Inbox(props: { readonly search: string }) {
  const { api } = useSession();
  const live = useLive();
  const filters = useMemo(() => readFilters(props.search), [props.search]);
  const [list, setList] = useState<List>({ state: 'loading', alerts: [] });
  const [query, setQuery] = useState<AlertQuery>({});
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string | undefined>(undefined);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [selected, setSelected] = useState(0);
  const [generation, setGeneration] = useState(0);
  /** Set when a reload catches up on alerts that arrived while the stream was down. */
  const catchingUp = useRef(false);
  const lostStream = useRef(false);
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const listRef = useRef(list);
  listRef.current = list;
  const selectedRef = useRef(selected);
  selectedRef.current = selected;

  const markFresh = (ids: readonly string[]) => {
    if (ids.length === 0) return;
    setFresh((set) => new Set([...set, ...ids]));
    setTimeout(() => {
      setFresh((set) => new Set([...set].filter((id) => !ids.includes(id))));
    }, FRESH_MS);
  };

  const [clients] = useLoad(() => api.clients(), [api]);
  const [cameras] = useLoad(() => api.cameras(), [api]);

  useEffect(() => {
    setPageTitle('Alerts');
  }, []);

  useEffect(() => {
    let current = true;
    const q = toQuery(filters, Date.now());
    setQuery(q);
    setList((prev) => ({ state: 'loading', alerts: prev.alerts }));
    setLoadingMore(false);
    setMoreError(undefined);
    api.alerts({ ...q, limit: PAGE }).then(
      (page) => {
        if (!current) return;
        const before = listRef.current.alerts;
        setList({ state: 'done', alerts: page.alerts, ...optCursor(page.nextCursor) });
        if (catchingUp.current) {
          // Keep the operator's place, and mark what arrived during the outage as new.
          catchingUp.current = false;
          const selectedId = before[selectedRef.current]?.id;
          const known = new Set(before.map((a) => a.id));
          const arrived = page.alerts.filter((a) => !known.has(a.id)).map((a) => a.id);
          setSelected(
            Math.max(
              0,
              page.alerts.findIndex((a) => a.id === selectedId),
            ),
          );
          markFresh(arrived);
        } else {
          setSelected(0);
        }
      },
      (error: unknown) => {
        if (current)
          setList({ state: 'failed', alerts: [], message: describeError(error).message });
      },
    );
    return () => {
      current = false;
    };
  }, [api, filters, generation]);

  useEffect(() => {
    rememberOrder({
      search: props.search,
      ids: list.alerts.map((a) => a.id),
      query,
      nextCursor: list.nextCursor,
    });
  }, [list, query, props.search]);

  // Alerts stored while the stream was down never come through it: reload when it is back.
  useEffect(() => {
    if (live.state === 'offline') lostStream.current = true;
    if (live.state === 'live' && lostStream.current) {
      lostStream.current = false;
      catchingUp.current = true;
      setGeneration((g) => g + 1);
    }
  }, [live.state]);

  useEffect(
    () =>
      live.subscribe((alert) => {
        const now = listRef.current;
        if (now.state !== 'done' || !matches(alert, filtersRef.current, Date.now())) return;
        if (now.alerts.some((a) => a.id === alert.id)) return;
        setList({ ...now, alerts: [alert, ...now.alerts] });
        // Keep the selection on the alert the operator was on.
        setSelected((s) => (s === 0 && now.alerts.length === 0 ? 0 : s + 1));
        markFresh([alert.id]);
      }),
    [live],
  );

  useEffect(() => {
    document
      .querySelector(`[data-index="${String(selected)}"]`)
      ?.scrollIntoView({ block: 'nearest' });
  }, [selected]);

  async function loadMore(): Promise<void> {
    const cursor = list.nextCursor;
    if (cursor === undefined || loadingMore) return;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const page = await api.alerts({ ...query, limit: PAGE, cursor });
      const known = new Set(listRef.current.alerts.map((a) => a.id));
      setList({
        state: 'done',
        alerts: [...listRef.current.alerts, ...page.alerts.filter((a) => !known.has(a.id))],
        ...optCursor(page.nextCursor),
      });
    } catch (error) {
      setMoreError(describeError(error).message);
    } finally {
      setLoadingMore(false);
    }
  }

  const setFilters = (next: InboxFilters) => {
    navigate(`/${writeFilters(next)}`);
  };

  const open = (index: number) => {
    const alert = list.alerts[index];
    if (alert) navigate(`/alerts/${encodeURIComponent(alert.id)}`);
  };

  useShortcuts({
    j: () => {
      if (selected < list.alerts.length - 1) setSelected(selected + 1);
      else void loadMore();
    },
    k: () => {
      setSelected(Math.max(0, selected - 1));
    },
    Enter: () => {
      open(selected);
    },
    o: () => {
      open(selected);
    },
    r: () => {
      setGeneration((g) => g + 1);
    },
  });

  const newCount = list.alerts.filter((a) => a.status === 'new').length;

  return (
    <main class="page">
      <PageHead
        title="Alerts"
        sub={
          list.state === 'done' ? (
            <span>
              {list.alerts.length}
              {list.nextCursor !== undefined ? '+' : ''} shown · {newCount} awaiting review
            </span>
          ) : undefined
        }
      >
        <KeyHints
          hints={[
            ['j', 'next'],
            ['k', 'previous'],
            ['Enter', 'open'],
            ['r', 'refresh'],
          ]}
        />
      </PageHead>
      <FilterBar
        filters={filters}
        onChange={setFilters}
        clients={clients.state === 'done' ? clients.value : []}
        cameras={cameras.state === 'done' ? cameras.value : []}
      />
      {list.state === 'failed' && (
        <ErrorNotice
          message={`The alerts could not be loaded: ${list.message ?? ''}`}
          onRetry={() => {
            setGeneration((g) => g + 1);
          }}
        />
      )}
      {list.state === 'loading' && list.alerts.length === 0 && <Loading what="alerts" />}
      {list.state === 'done' && list.alerts.length === 0 && (
        <div class="empty">
          <div class="empty-title">
            No alerts{anyFilter(filters) ? ' match these filters' : ' yet'}
          </div>
          <div class="empty-sub">New alerts appear here as detectors raise them.</div>
          {anyFilter(filters) && (
            <button
              type="button"
              class="button small"
              onClick={() => {
                setFilters({});
              }}
            >
              Clear filters
            </button>
          )}
        </div>
      )}
      {list.alerts.length > 0 && (
        <div class={list.state === 'loading' ? 'table-wrap stale' : 'table-wrap'}>
          <table class="table alerts" aria-label="Alerts, newest first">
            <thead>
              <tr>
                <th class="col-status">Status</th>
                <th>Alert</th>
                <th class="col-client">Client</th>
                <th class="col-camera">Camera</th>
                <th class="col-time">Detected</th>
                <th class="col-score">Score / threshold</th>
                <th class="col-evidence">Evidence</th>
              </tr>
            </thead>
            <tbody>
              {list.alerts.map((alert, index) => (
                <AlertRow
                  key={alert.id}
                  alert={alert}
                  index={index}
                  selected={index === selected}
                  fresh={fresh.has(alert.id)}
                  onOpen={() => {
                    open(index);
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.nextCursor !== undefined && list.state === 'done' && (
        <div class="more">
          <button
            type="button"
            class="button"
            disabled={loadingMore}
            onClick={() => {
              void loadMore();
            }}
          >
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
          {moreError !== undefined && <span class="inline-error">{moreError}</span>}
        </div>
      )}
    </main>
  );
}

function optCursor(cursor: string | undefined): { nextCursor?: string } {
  return cursor === undefined ? {} : { nextCursor: cursor };
}

function AlertRow(props: {
  readonly alert: AlertSummary;
  readonly index: number;
  readonly selected: boolean;
  readonly fresh: boolean;
  readonly onOpen: () => void;
}) {
  const { alert } = props;
  const href = `/alerts/${encodeURIComponent(alert.id)}`;
  const classes = ['row', props.selected ? 'selected' : '', props.fresh ? 'fresh' : '']
    .filter((c) => c !== '')
    .join(' ');
  return (
    <tr
      class={classes}
      data-index={props.index}
      data-alert-id={alert.id}
      aria-selected={props.selected}
      onClick={(event) => {
        if ((event.target as HTMLElement).closest('a') === null) props.onOpen();
      }}
    >
      <td class="col-status">
        <StatusBadge status={alert.status} />
      </td>
      <td class="col-alert">
        <div class="alert-rules">
          <Link to={href} class="alert-link">
            {ruleLabel(alert.rule)}
          </Link>
          {alert.rules
            .filter((r) => r !== alert.rule)
            .map((r) => (
              <RuleTag key={r} rule={r} muted />
            ))}
          {props.fresh && <span class="fresh-tag">New</span>}
        </div>
        {alert.explanation !== '' && <div class="alert-explanation">{alert.explanation}</div>}
      </td>
      <td class="col-client">{alert.client}</td>
      <td class="col-camera">
        <div>{alert.cameraName}</div>
        {alert.cameraName.toLowerCase() !== alert.camera.toLowerCase() && (
          <div class="sub mono">{alert.camera}</div>
        )}
      </td>
      <td class="col-time">
        <Time iso={alert.detectedAt} />
      </td>
      <td class="col-score">
        <ScoreMeter score={alert.score} threshold={alert.threshold} />
      </td>
      <td class="col-evidence">
        <EvidenceIcons kinds={alert.evidence} />
      </td>
    </tr>
  );
}

function FilterBar(props: {
  readonly filters: InboxFilters;
  readonly onChange: (filters: InboxFilters) => void;
  readonly clients: readonly ClientView[];
  readonly cameras: readonly CameraHealth[];
}) {
  const { filters, onChange } = props;
  const set = (key: keyof InboxFilters, value: string) => {
    const params = new URLSearchParams(writeFilters(filters));
    if (value === '') params.delete(key);
    else params.set(key, value);
    // A camera belongs to one client; a preset range has no custom bounds.
    if (key === 'client') params.delete('camera');
    if (key === 'range' && value !== 'custom') {
      params.delete('from');
      params.delete('to');
    }
    onChange(readFilters(params.toString()));
  };
  const cameras = props.cameras.filter(
    (c) => filters.client === undefined || c.client === filters.client,
  );
  const rules: readonly string[] =
    filters.rule !== undefined && !(RULES as readonly string[]).includes(filters.rule)
      ? [...RULES, filters.rule]
      : RULES;
  const clientNames = props.clients.map((c) => c.name);
  return (
    <form
      class="filters"
      aria-label="Filters"
      onSubmit={(event) => {
        event.preventDefault();
      }}
    >
      <Select
        label="Client"
        name="client"
        value={filters.client ?? ''}
        onChange={(v) => {
          set('client', v);
        }}
        options={[
          ['', 'All clients'],
          ...props.clients.map((c) => [c.name, c.displayName] as const),
          ...(filters.client !== undefined && !clientNames.includes(filters.client)
            ? [[filters.client, filters.client] as const]
            : []),
        ]}
      />
      <Select
        label="Camera"
        name="camera"
        value={filters.camera ?? ''}
        onChange={(v) => {
          set('camera', v);
        }}
        options={[
          ['', 'All cameras'],
          ...cameras.map(
            (c) =>
              [
                c.camera,
                filters.client === undefined ? `${c.name} (${c.client})` : c.name,
              ] as const,
          ),
          ...(filters.camera !== undefined && !cameras.some((c) => c.camera === filters.camera)
            ? [[filters.camera, filters.camera] as const]
            : []),
        ]}
      />
      <Select
        label="Rule"
        name="rule"
        value={filters.rule ?? ''}
        onChange={(v) => {
          set('rule', v);
        }}
        options={[['', 'All rules'], ...rules.map((r) => [r, ruleLabel(r)] as const)]}
      />
      <Select
        label="Status"
        name="status"
        value={filters.status ?? ''}
        onChange={(v) => {
          set('status', v);
        }}
        options={[['', 'Any status'], ...ALERT_STATUSES.map((s) => [s, ruleLabel(s)] as const)]}
      />
      <Select
        label="Time"
        name="range"
        value={filters.range ?? ''}
        onChange={(v) => {
          set('range', v);
        }}
        options={[
          ['', 'Any time'],
          ...(Object.keys(RANGES) as RangeKey[]).map((k) => [k, RANGES[k].label] as const),
          ['custom', 'Custom range…'],
        ]}
      />
      {filters.range === 'custom' && (
        <>
          <label class="filter">
            <span class="filter-label">From</span>
            <input
              class="input"
              type="datetime-local"
              name="from"
              value={toLocalInput(filters.from)}
              onChange={(event) => {
                set('from', fromLocalInput(event.currentTarget.value) ?? '');
              }}
            />
          </label>
          <label class="filter">
            <span class="filter-label">To</span>
            <input
              class="input"
              type="datetime-local"
              name="to"
              value={toLocalInput(filters.to)}
              onChange={(event) => {
                set('to', fromLocalInput(event.currentTarget.value) ?? '');
              }}
            />
          </label>
        </>
      )}
      {anyFilter(filters) && (
        <button
          type="button"
          class="button ghost small clear"
          onClick={() => {
            onChange({});
          }}
        >
          Clear
        </button>
      )}
    </form>
  );
}

function Select(props: {
  readonly label: string;
  readonly name: string;
  readonly value: string;
  readonly options: readonly (readonly [string, string])[];
  readonly onChange: (value: string) => void;
}) {
  return (
    <label class="filter">
      <span class="filter-label">{props.label}</span>
      <select
        class="input"
        name={props.name}
        value={props.value}
        onChange={(event) => {
          props.onChange(event.currentTarget.value);
        }}
      >
        {props.options.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </label>
  );
}
