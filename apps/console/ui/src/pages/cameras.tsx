/** Every camera the signed-in person can see, grouped by client, with its health. */

import {
  ErrorNotice,
  CameraStateBadge,
  Link,
  Loading,
  PageHead,
  Time,
} from '../components/bits.js';
import { useSession } from '../context.js';
import { useLoad } from '../hooks.js';
import { setPageTitle } from '../title.js';
import type { CameraHealth, CameraState } from '../types.js';
import { useEffect } from 'preact/hooks';

const ORDER: Record<CameraState, number> = { Down: 0, Unknown: 1, Up: 2, Disabled: 3 };

/** Cameras grouped by client, down ones first. */
export function groupCameras(cameras: readonly CameraHealth[]): [string, CameraHealth[]][] {
  const groups = new Map<string, CameraHealth[]>();
  for (const camera of cameras) {
    const list = groups.get(camera.client) ?? [];
    list.push(camera);
    groups.set(camera.client, list);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([client, list]) => [
      client,
      list.sort((a, b) => ORDER[a.state] - ORDER[b.state] || a.name.localeCompare(b.name)),
    ]);
}

/** The cameras page. */
export function Cameras() {
  const { api } = useSession();
  const [cameras, reload] = useLoad(() => api.cameras(), [api]);
  useEffect(() => {
    setPageTitle('Cameras');
  }, []);
  const all = cameras.state === 'done' ? cameras.value : [];
  const count = (state: CameraState) => all.filter((c) => c.state === state).length;
  return (
    <main class="page">
      <PageHead
        title="Cameras"
        sub={
          cameras.state === 'done' ? (
            <span class="counts">
              <span>{all.length} cameras</span>
              <span class="count-up">{count('Up')} up</span>
              {count('Down') > 0 && <span class="count-down">{count('Down')} down</span>}
              {count('Unknown') > 0 && <span>{count('Unknown')} unknown</span>}
              {count('Disabled') > 0 && <span>{count('Disabled')} disabled</span>}
            </span>
          ) : undefined
        }
      >
        <button type="button" class="button small" onClick={reload}>
          Refresh
        </button>
      </PageHead>
      {cameras.state === 'loading' && <Loading what="cameras" />}
      {cameras.state === 'failed' && (
        <ErrorNotice
          message={`The cameras could not be loaded: ${cameras.message}`}
          onRetry={reload}
        />
      )}
      {cameras.state === 'done' && all.length === 0 && (
        <div class="empty">
          <div class="empty-title">No cameras</div>
          <div class="empty-sub">Cameras appear once a client's config is accepted.</div>
        </div>
      )}
      {groupCameras(all).map(([client, list]) => (
        <section key={client} class="group" data-client={client}>
          <h2 class="group-title">
            <Link to={`/clients/${encodeURIComponent(client)}`}>{client}</Link>
            <span class="muted small">
              {list.filter((c) => c.state === 'Up').length} of {list.length} up
            </span>
          </h2>
          <CameraTable cameras={list} />
        </section>
      ))}
    </main>
  );
}

/** A table of cameras with their health. */
export function CameraTable(props: { readonly cameras: readonly CameraHealth[] }) {
  return (
    <div class="table-wrap">
      <table class="table cameras">
        <thead>
          <tr>
            <th class="col-state">Health</th>
            <th class="col-name">Camera</th>
            <th class="col-id">ID</th>
            <th>Problem</th>
            <th class="col-time">Since</th>
          </tr>
        </thead>
        <tbody>
          {props.cameras.map((camera) => (
            <tr
              key={`${camera.client}/${camera.camera}`}
              data-camera={camera.camera}
              class={`camera-row state-${camera.state.toLowerCase()}`}
            >
              <td class="col-state">
                <CameraStateBadge state={camera.state} />
              </td>
              <td>{camera.name}</td>
              <td class="mono muted">{camera.camera}</td>
              <td>
                {camera.code !== undefined && <code class="code">{camera.code}</code>}
                {camera.reason !== undefined && <span class="reason"> {camera.reason}</span>}
                {camera.code === undefined && camera.reason === undefined && (
                  <span class="muted">—</span>
                )}
              </td>
              <td class="col-time">
                {camera.since !== undefined ? (
                  <Time iso={camera.since} />
                ) : (
                  <span class="muted">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
