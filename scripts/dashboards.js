// Vigie's Grafana dashboards, defined once here: `npm run generate` writes each as JSON
// (deploy/monitoring/grafana/dashboards/, to import by hand) and as a ConfigMap that Grafana's
// sidecar provisions (label grafana_dashboard: "1"). testing/deploy runs every panel's query
// against a real Prometheus scraping live Vigie components.

const stat = (title, expr, unit = 'none', legend = '') => ({
  type: 'stat',
  title,
  expr,
  unit,
  legend,
});
const series = (title, expr, unit = 'none', legend = '') => ({
  type: 'timeseries',
  title,
  expr,
  unit,
  legend,
});

/** The dashboards: uid, title, description, variables and panels (one query each). */
export const DASHBOARDS = [
  {
    uid: 'vigie-fleet',
    title: 'Vigie / Fleet overview',
    description: 'Every store at a glance: clients, cameras, alerts and analysis throughput.',
    variables: [],
    panels: [
      stat('Clients', 'count(max by (client) (vigie_console_client_state))'),
      stat('Clients Ready', 'sum(vigie_console_client_state{state="Ready"})'),
      stat('Cameras up', 'sum(vigie_detector_camera_up)'),
      stat('Cameras down', 'count(vigie_detector_camera_up == 0) or vector(0)'),
      series(
        'Alerts per hour, by rule',
        'sum by (rule) (increase(vigie_detector_alerts_total[1h]))',
        'none',
        '{{rule}}',
      ),
      series(
        'Analysed frames per second',
        'sum by (namespace) (rate(vigie_detector_frames_analysed_total[5m]))',
        'fps',
        '{{namespace}}',
      ),
      series(
        'Clients by state',
        'sum by (state) (vigie_console_client_state)',
        'none',
        '{{state}}',
      ),
      series(
        'Alerts stored by the console',
        'sum(rate(vigie_console_ingested_total{kind="alert",result="stored"}[5m]))',
        'reqps',
        'stored',
      ),
    ],
  },
  {
    uid: 'vigie-client',
    title: 'Vigie / Client',
    description: "One store's cameras, detections, pipeline stages and alert delivery.",
    variables: [{ name: 'namespace', query: 'label_values(vigie_detector_camera_up, namespace)' }],
    panels: [
      stat('Cameras up', 'sum(vigie_detector_camera_up{namespace="$namespace"})'),
      stat('Active tracks', 'sum(vigie_detector_active_tracks{namespace="$namespace"})'),
      stat(
        'Alerts waiting in the outbox',
        'sum(vigie_detector_outbox_depth{namespace="$namespace"})',
      ),
      stat(
        'Oldest alert waiting',
        'max(vigie_detector_outbox_oldest_seconds{namespace="$namespace"})',
        's',
      ),
      series(
        'Camera up',
        'max by (camera) (vigie_detector_camera_up{namespace="$namespace"})',
        'none',
        '{{camera}}',
      ),
      series(
        'Analysed frames per second, by camera',
        'sum by (camera) (rate(vigie_detector_frames_analysed_total{namespace="$namespace"}[5m]))',
        'fps',
        '{{camera}}',
      ),
      series(
        'Alerts per hour, by camera and rule',
        'sum by (camera, rule) (increase(vigie_detector_alerts_total{namespace="$namespace"}[1h]))',
        'none',
        '{{camera}} {{rule}}',
      ),
      series(
        'Seconds since the last frame',
        'max by (camera) (vigie_detector_camera_last_frame_age_seconds{namespace="$namespace"})',
        's',
        '{{camera}}',
      ),
      series(
        'Pipeline stage time, p95',
        'histogram_quantile(0.95, sum by (le, stage) (rate(vigie_detector_stage_seconds_bucket{namespace="$namespace"}[5m])))',
        's',
        '{{stage}}',
      ),
      series(
        'Alert latency, decisive frame to stored, p95',
        'histogram_quantile(0.95, sum by (le) (rate(vigie_detector_alert_latency_seconds_bucket{namespace="$namespace"}[30m])))',
        's',
        'p95',
      ),
    ],
  },
  {
    uid: 'vigie-operator',
    title: 'Vigie / Operator',
    description: 'Reconciles, the work queue, API requests and Client readiness.',
    variables: [],
    panels: [
      stat('Clients Ready', 'sum(vigie_client_status_condition{type="Ready"})'),
      stat('Work queue depth', 'sum(workqueue_depth)'),
      stat(
        'Reconcile errors per second',
        'sum(rate(controller_runtime_reconcile_errors_total[5m])) or vector(0)',
        'reqps',
      ),
      stat('Resident memory', 'max(process_resident_memory_bytes{job="vigie-operator"})', 'bytes'),
      series(
        'Reconciles per second, by result',
        'sum by (result) (rate(controller_runtime_reconcile_total[5m]))',
        'reqps',
        '{{result}}',
      ),
      series(
        'Reconcile time, p95',
        'histogram_quantile(0.95, sum by (le) (rate(controller_runtime_reconcile_time_seconds_bucket[5m])))',
        's',
        'p95',
      ),
      series(
        'API requests per second, by method and code',
        'sum by (method, code) (rate(rest_client_requests_total[5m]))',
        'reqps',
        '{{method}} {{code}}',
      ),
      series(
        'Work queue retries per second',
        'sum(rate(workqueue_retries_total[5m])) or vector(0)',
        'reqps',
        'retries',
      ),
    ],
  },
  {
    uid: 'vigie-console',
    title: 'Vigie / Console',
    description:
      'Requests, errors and latency of the console; ingest, reviews, live streams and notifications.',
    variables: [],
    panels: [
      stat('Open live streams', 'sum(vigie_console_live_connections)'),
      stat('Notifications waiting', 'sum(vigie_console_notifications_pending)'),
      stat(
        'Error ratio (5xx)',
        'sum(rate(vigie_console_http_requests_total{code=~"5.."}[5m])) / sum(rate(vigie_console_http_requests_total[5m])) or vector(0)',
        'percentunit',
      ),
      stat('Resident memory', 'max(process_resident_memory_bytes{job="vigie-console"})', 'bytes'),
      series(
        'Requests per second, by route',
        'sum by (route) (rate(vigie_console_http_requests_total[5m]))',
        'reqps',
        '{{route}}',
      ),
      series(
        'Latency p95, by route',
        'histogram_quantile(0.95, sum by (le, route) (rate(vigie_console_http_request_duration_seconds_bucket{route!="/api/v1/events"}[5m])))',
        's',
        '{{route}}',
      ),
      series(
        'Detector posts per second, by result',
        'sum by (kind, result) (rate(vigie_console_ingested_total[5m]))',
        'reqps',
        '{{kind}} {{result}}',
      ),
      series(
        'Reviews per hour, by verdict',
        'sum by (verdict) (increase(vigie_console_reviews_total[1h])) or vector(0)',
        'none',
        '{{verdict}}',
      ),
    ],
  },
];

/** A dashboard in Grafana's JSON model. */
export function grafanaDashboard(definition) {
  const datasource = { type: 'prometheus', uid: '${datasource}' };
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const panels = definition.panels.map((panel, index) => {
    const w = panel.type === 'stat' ? 6 : 12;
    const h = panel.type === 'stat' ? 4 : 8;
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { h, w, x, y };
    x += w;
    rowHeight = Math.max(rowHeight, h);
    return {
      id: index + 1,
      type: panel.type,
      title: panel.title,
      datasource,
      gridPos,
      targets: [{ refId: 'A', datasource, expr: panel.expr, legendFormat: panel.legend }],
      fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
      options:
        panel.type === 'stat'
          ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false } }
          : { legend: { displayMode: 'list', placement: 'bottom' } },
    };
  });
  return {
    uid: definition.uid,
    title: definition.title,
    description: definition.description,
    tags: ['vigie'],
    editable: false,
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus' },
        ...definition.variables.map((v) => ({
          name: v.name,
          type: 'query',
          datasource,
          query: v.query,
          refresh: 2,
          sort: 1,
        })),
      ],
    },
    panels,
  };
}
