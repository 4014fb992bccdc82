/**
 * Clients: each one's config state, and for a rejected upload the problems of its last report,
 * shown the way a compiler shows errors (file:line:column, code, message).
 */

import { useEffect } from 'preact/hooks';
import {
  ClientStateBadge,
  ErrorNotice,
  Link,
  Loading,
  PageHead,
  Time,
} from '../components/bits.js';
import { useSession } from '../context.js';
import { useLoad } from '../hooks.js';
import { setPageTitle } from '../title.js';
import type { ClientView, ConfigReportView } from '../types.js';
import { CameraTable } from './cameras.js';

function upCount(client: ClientView): string {
  const up = client.cameras.filter((c) => c.state === 'Up').length;
  return `${String(up)} / ${String(client.cameras.length)}`;
}

/** The clients page. */
export function Clients() {
  const { api } = useSession();
  const [clients, reload] = useLoad(() => api.clients(), [api]);
  useEffect(() => {
    setPageTitle('Clients');
  }, []);
  return (
    <main class="page">
      <PageHead
        title="Clients"
        sub={clients.state === 'done' ? `${String(clients.value.length)} clients` : undefined}
      >
        <button type="button" class="button small" onClick={reload}>
          Refresh
        </button>
      </PageHead>
      {clients.state === 'loading' && <Loading what="clients" />}
      {clients.state === 'failed' && (
        <ErrorNotice
          message={`The clients could not be loaded: ${clients.message}`}
          onRetry={reload}
        />
      )}
      {clients.state === 'done' && clients.value.length === 0 && (
        <div class="empty">
          <div class="empty-title">No clients</div>
          <div class="empty-sub">A client appears when its config file is uploaded.</div>
        </div>
      )}
      {clients.state === 'done' && clients.value.length > 0 && (
        <div class="table-wrap">
          <table class="table clients">
            <thead>
              <tr>
                <th class="col-client">Client</th>
                <th class="col-state">State</th>
                <th>Message</th>
                <th class="col-num">Cameras up</th>
                <th class="col-time">Last upload</th>
              </tr>
            </thead>
            <tbody>
              {[...clients.value]
                .sort((a, b) => a.name.localeCompare(b.name))
                .map((client) => (
                  <tr key={client.name} data-client={client.name}>
                    <td class="col-client">
                      <Link to={`/clients/${encodeURIComponent(client.name)}`} class="strong">
                        {client.displayName}
                      </Link>
                      {client.displayName !== client.name && (
                        <div class="sub mono">{client.name}</div>
                      )}
                    </td>
                    <td class="col-state">
                      <ClientStateBadge state={client.state} />
                    </td>
                    <td>
                      {client.message ?? <span class="muted">—</span>}
                      {client.state === 'Rejected' && client.lastReport && (
                        <Problems report={client.lastReport} limit={3} />
                      )}
                    </td>
                    <td class="col-num mono">{upCount(client)}</td>
                    <td class="col-time">
                      {client.lastReport && client.lastReport.at !== '' ? (
                        <Time iso={client.lastReport.at} />
                      ) : (
                        <span class="muted">—</span>
                      )}
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      )}
    </main>
  );
}

/** One client's page. */
export function ClientPage(props: { readonly name: string }) {
  const { api } = useSession();
  const [client, reload] = useLoad(() => api.client(props.name), [api, props.name]);
  useEffect(() => {
    setPageTitle(props.name);
  }, [props.name]);
  return (
    <main class="page">
      <div class="crumbs">
        <Link to="/clients">← Clients</Link>
      </div>
      {client.state === 'loading' && <Loading what="the client" />}
      {client.state === 'failed' && (
        <ErrorNotice
          message={
            client.status === 404
              ? 'This client does not exist, or you cannot see it.'
              : `The client could not be loaded: ${client.message}`
          }
          {...(client.status === 404 ? {} : { onRetry: reload })}
        />
      )}
      {client.state === 'done' && (
        <>
          <PageHead
            title={
              <>
                {client.value.displayName} <ClientStateBadge state={client.value.state} />
              </>
            }
            sub={
              <>
                <span class="mono">{client.value.name}</span>
                <span class="sep">·</span>
                <span>{upCount(client.value)} cameras up</span>
              </>
            }
          >
            <Link to={`/?client=${encodeURIComponent(client.value.name)}`} class="button small">
              Alerts of this client
            </Link>
          </PageHead>
          {client.value.message !== undefined && (
            <div class={client.value.state === 'Ready' ? 'notice' : 'notice warn'}>
              {client.value.message}
            </div>
          )}
          {client.value.lastReport && (
            <section class="panel">
              <div class="panel-head">
                <h2>Last config upload</h2>
                <span class={`badge report-${client.value.lastReport.result}`}>
                  {client.value.lastReport.result === 'rejected' ? 'Rejected' : 'Accepted'}
                </span>
              </div>
              <div class="report-meta">
                <span class="mono">{client.value.lastReport.object}</span>
                {client.value.lastReport.generation !== '' && (
                  <span class="muted"> generation {client.value.lastReport.generation}</span>
                )}
                {client.value.lastReport.at !== '' && (
                  <>
                    <span class="sep">·</span>
                    <Time iso={client.value.lastReport.at} />
                  </>
                )}
              </div>
              {client.value.lastReport.result === 'rejected' &&
                client.value.state === 'Rejected' &&
                client.value.message === undefined && (
                  <p class="muted small">
                    The upload was refused; the last accepted config keeps running until a valid one
                    is uploaded.
                  </p>
                )}
              <Problems report={client.value.lastReport} />
            </section>
          )}
          <section class="group">
            <h2 class="group-title">Cameras</h2>
            {client.value.cameras.length > 0 ? (
              <CameraTable cameras={client.value.cameras} />
            ) : (
              <div class="muted small">No cameras.</div>
            )}
          </section>
        </>
      )}
    </main>
  );
}

/** A report's problems, one per line, as a compiler prints errors. */
function Problems(props: { readonly report: ConfigReportView; readonly limit?: number }) {
  const { report } = props;
  if (report.problems.length === 0) return null;
  const file = report.object.split('/').at(-1) ?? report.object;
  const shown = props.limit === undefined ? report.problems : report.problems.slice(0, props.limit);
  const rest = report.problems.length - shown.length;
  return (
    <pre class="problems" data-testid="problems">
      {shown.map((p, i) => (
        <div key={String(i)} class="problem">
          <span class="problem-where">
            {file}
            {p.line !== undefined ? `:${String(p.line)}` : ''}
            {p.column !== undefined ? `:${String(p.column)}` : ''}
          </span>
          {'  '}
          <span class="problem-severity">error</span>
          {'  '}
          <span class="problem-code">{p.code}</span>
          {'  '}
          <span class="problem-message">{p.message}</span>
        </div>
      ))}
      {rest > 0 && <div class="problem-more">… and {rest} more</div>}
    </pre>
  );
}
