/**
 * The alert's snapshot with an SVG overlay: the person's box and the camera's zones, drawn in the
 * pixels of the analysed frame and scaled with the image.
 */

import { useState } from 'preact/hooks';
import { zonesInPixels } from '../../../src/api/index.js';
import { labelAnchor, svgPoints } from '../geometry.js';
import type { Loaded } from '../hooks.js';
import type { Box, ZoneOutline } from '../types.js';

/** What the overlay draws. */
export interface OverlayData {
  readonly box?: Box;
  readonly trackId?: number;
  /** The analysed frame's size; the box is in its pixels. */
  readonly width?: number;
  readonly height?: number;
  readonly zones: readonly ZoneOutline[];
  /** The zone the alert names, drawn stronger. */
  readonly zoneId?: string;
}

/** The snapshot, its overlay, and a legend. */
export function Snapshot(props: {
  readonly url: Loaded<string> | undefined;
  readonly overlay: OverlayData;
  readonly showOverlay: boolean;
  readonly alt: string;
}) {
  const [natural, setNatural] = useState<{ w: number; h: number } | undefined>(undefined);
  const { overlay } = props;
  const width = overlay.width ?? natural?.w;
  const height = overlay.height ?? natural?.h;
  const zones =
    width !== undefined && height !== undefined ? zonesInPixels(overlay.zones, width, height) : [];

  if (props.url === undefined) {
    return <div class="snapshot-empty">This alert has no snapshot.</div>;
  }
  if (props.url.state === 'loading') {
    return <div class="snapshot-empty">Loading snapshot…</div>;
  }
  if (props.url.state === 'failed') {
    return (
      <div class="snapshot-empty error">The snapshot could not be loaded: {props.url.message}</div>
    );
  }
  const box = overlay.box;
  // Labels are sized to the frame, so that they read the same at any display size.
  const fs = Math.max(10, (height ?? 480) / 28);
  return (
    <figure class="snapshot">
      <div class="snapshot-frame">
        <img
          src={props.url.value}
          alt={props.alt}
          class="snapshot-image"
          data-testid="snapshot"
          onLoad={(event) => {
            setNatural({
              w: event.currentTarget.naturalWidth,
              h: event.currentTarget.naturalHeight,
            });
          }}
        />
        {props.showOverlay && width !== undefined && height !== undefined && (
          <svg
            class="overlay"
            data-testid="overlay"
            viewBox={`0 0 ${String(width)} ${String(height)}`}
            preserveAspectRatio="none"
            font-size={fs}
            aria-label="Person box and zones"
          >
            {zones.map((zone) => {
              const [lx, ly] = labelAnchor(zone.polygon);
              const strong = zone.id === overlay.zoneId;
              return (
                <g
                  key={zone.id}
                  class={`zone zone-${zone.type}${strong ? ' zone-hit' : ''}`}
                  data-zone={zone.id}
                >
                  <polygon points={svgPoints(zone.polygon)} vector-effect="non-scaling-stroke" />
                  <text x={lx + fs * 0.4} y={ly + fs * 1.2} class="zone-label">
                    {zone.name}
                  </text>
                </g>
              );
            })}
            {box && (
              <g class="person" data-testid="person-box">
                <rect
                  x={box[0]}
                  y={box[1]}
                  width={Math.max(0, box[2] - box[0])}
                  height={Math.max(0, box[3] - box[1])}
                  vector-effect="non-scaling-stroke"
                />
                <text
                  x={box[0] + fs * 0.2}
                  y={Math.max(fs, box[1] - fs * 0.35)}
                  class="person-label"
                >
                  {overlay.trackId === undefined ? 'Person' : `Track ${String(overlay.trackId)}`}
                </text>
              </g>
            )}
          </svg>
        )}
      </div>
      {props.showOverlay && (zones.length > 0 || box !== undefined) && (
        <figcaption class="legend">
          {box !== undefined && (
            <span class="legend-item">
              <span class="swatch person" /> Person
            </span>
          )}
          {[...new Set(zones.map((z) => z.type))].map((type) => (
            <span key={type} class="legend-item">
              <span class={`swatch zone-${type}`} /> {type.replace('-', ' ')}
            </span>
          ))}
        </figcaption>
      )}
    </figure>
  );
}
