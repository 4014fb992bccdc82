/**
 * What the folder watcher does about a name, given what it last did about it, and the storage
 * CloudEvent it hands the function: a pure translation from the folder to the bucket's events.
 */

import { DELETED, FINALIZED } from '../events.js';
import type { EntryVerdict } from './entry.js';
import { LOCAL_BUCKET } from './folder-store.js';

/** What the watcher last did about a name. */
export interface Seen {
  readonly generation: string;
  /** The function saw this name, so its disappearance is news to the function. */
  readonly handled: boolean;
}

/** A refusal verdict. */
export type Refusal = Extract<EntryVerdict, { action: 'refuse' }>;

/** The next step for a name. */
export type FolderStep =
  /** Nothing new: this generation was already dealt with, or it is no config. */
  | { readonly action: 'none' }
  /** Gone, and the function never saw it: only the watcher's memory of it goes. */
  | { readonly action: 'forget' }
  | { readonly action: 'refuse'; readonly refusal: Refusal }
  /** Hand the function an event: the file was written (with its size), or is gone. */
  | {
      readonly action: 'deliver';
      readonly gone: boolean;
      readonly generation: string;
      readonly size?: bigint;
    };

/** Decides the next step from the entry's verdict and what was last done about the name. */
export function nextStep(verdict: EntryVerdict, previous: Seen | undefined): FolderStep {
  switch (verdict.action) {
    case 'ignore':
      return { action: 'none' };
    case 'refuse':
      if (previous?.generation === verdict.generation) return { action: 'none' };
      return { action: 'refuse', refusal: verdict };
    case 'gone':
      if (previous === undefined) return { action: 'none' };
      if (!previous.handled) return { action: 'forget' };
      return { action: 'deliver', gone: true, generation: previous.generation };
    case 'handle':
      if (previous?.generation === verdict.generation) return { action: 'none' };
      return { action: 'deliver', gone: false, generation: verdict.generation, size: verdict.size };
  }
}

/** The storage CloudEvent the function gets for the object `name` (prefix included). */
export function folderEvent(
  name: string,
  step: Extract<FolderStep, { action: 'deliver' }>,
  time: Date,
): Record<string, unknown> {
  const type = step.gone ? DELETED : FINALIZED;
  return {
    specversion: '1.0',
    id: `${name}#${step.generation}#${type}`,
    type,
    source: `//storage.googleapis.com/projects/_/buckets/${LOCAL_BUCKET}`,
    subject: `objects/${name}`,
    time: time.toISOString(),
    data: {
      bucket: LOCAL_BUCKET,
      name,
      generation: step.generation,
      ...(step.gone || step.size === undefined ? {} : { size: String(step.size) }),
    },
  };
}
