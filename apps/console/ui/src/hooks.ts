/** Hooks shared by the pages: loading data, ticking clocks, blob URLs. */

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.js';

/** A load in progress, done, or failed. */
export type Loaded<T> =
  | { readonly state: 'loading' }
  | { readonly state: 'done'; readonly value: T }
  | { readonly state: 'failed'; readonly message: string; readonly status?: number };

/** A failure as one sentence. */
export function describeError(error: unknown): { message: string; status?: number } {
  if (error instanceof ApiError) return { message: error.message, status: error.status };
  if (error instanceof Error) return { message: error.message };
  return { message: String(error) };
}

/** Loads once per change of `deps`; a later load wins over an earlier one still running. */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
): [Loaded<T>, () => void, (value: T) => void] {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const mine = ++latest.current;
    load().then(
      (value) => {
        if (mine === latest.current) setResult({ state: 'done', value });
      },
      (error: unknown) => {
        if (mine === latest.current) setResult({ state: 'failed', ...describeError(error) });
      },
    );
  }, [...deps, generation]);
  const reload = useCallback(() => {
    setGeneration((g) => g + 1);
  }, []);
  const replace = useCallback((value: T) => {
    setResult({ state: 'done', value });
  }, []);
  return [result, reload, replace];
}

/** The current time, refreshed every `ms` so that relative times stay true. */
export function useNow(ms = 30_000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(Date.now());
    }, ms);
    return () => {
      clearInterval(timer);
    };
  }, [ms]);
  return now;
}

/** An object URL for a blob loaded by `load`, revoked when it is no longer shown. */
export function useBlobUrl(
  load: (() => Promise<Blob>) | undefined,
  deps: readonly unknown[],
): Loaded<string> | undefined {
  const [result, setResult] = useState<Loaded<string> | undefined>(undefined);
  useEffect(() => {
    if (load === undefined) {
      setResult(undefined);
      return undefined;
    }
    let url: string | undefined;
    let live = true;
    setResult({ state: 'loading' });
    load().then(
      (blob) => {
        if (!live) return;
        url = URL.createObjectURL(blob);
        setResult({ state: 'done', value: url });
      },
      (error: unknown) => {
        if (live) setResult({ state: 'failed', ...describeError(error) });
      },
    );
    return () => {
      live = false;
      if (url !== undefined) URL.revokeObjectURL(url);
    };
  }, deps);
  return result;
}
