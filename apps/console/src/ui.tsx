import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { type Api, ApiError, type Page } from './api';

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return `${err.message} (${err.code}, HTTP ${err.status})`;
  return err instanceof Error ? err.message : String(err);
}

/** The API's error, shown where the action failed; announced to screen readers. */
export function ErrorBox({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  return (
    <p class="error" role="alert">
      {errorText(error)}
    </p>
  );
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Loads once per change of `deps`; `reload` loads again. Errors are kept for display. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error: unknown; loading: boolean }>({
    error: null,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: unknown) => live && setState((s) => ({ ...s, error, loading: false })),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** A button running an async action: disabled while it runs, its failure shown beside it. */
export function ActionButton(props: {
  label: string;
  busyLabel?: string;
  run: () => Promise<unknown>;
  kind?: 'primary' | 'danger' | 'plain';
  confirm?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const onClick = async () => {
    if (props.confirm && !window.confirm(props.confirm)) return;
    setBusy(true);
    setError(null);
    try {
      await props.run();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="action">
      <button type="button" class={props.kind ?? 'plain'} disabled={busy} onClick={onClick}>
        {busy ? (props.busyLabel ?? `${props.label}…`) : props.label}
      </button>
      <ErrorBox error={error} />
    </span>
  );
}

export function Section(props: {
  title: string;
  children: ComponentChildren;
  actions?: ComponentChildren;
}) {
  return (
    <section class="card">
      <header class="card-head">
        <h2>{props.title}</h2>
        {props.actions}
      </header>
      {props.children}
    </section>
  );
}

export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}

export function percent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return '—';
  return `${(rate * 100).toFixed(rate === 1 || rate === 0 ? 0 : 1)} %`;
}

export function Badge({ value }: { value: string }) {
  return <span class={`badge badge-${value.replace(/[^a-z_]/g, '')}`}>{value}</span>;
}

/** A raw body as received: pretty JSON when it is UTF-8 JSON, otherwise the text (or base64) as is. */
export function bodyText(body: string, encoding: 'utf8' | 'base64'): string {
  if (encoding !== 'utf8') return body;
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/** A `datetime-local` value as an ISO instant, or undefined when empty or not a date. */
export function isoOf(local: string): string | undefined {
  const at = local ? new Date(local) : null;
  return at && !Number.isNaN(at.getTime()) ? at.toISOString() : undefined;
}

/**
 * A list the API pages with a cursor: the first page of `path` (its filters in the query), then
 * "Load more". Pages loaded for another path (filters changed meanwhile) are dropped.
 */
export function usePaged<T>(api: Api, path: string) {
  const first = useLoad(() => api.get<Page<T>>(path), [path]);
  const [more, setMore] = useState<{ path: string; items: T[]; next: string | null } | null>(null);
  const extra = more?.path === path ? more : null;
  const items = [...(first.data?.items ?? []), ...(extra?.items ?? [])];
  const next = extra ? extra.next : (first.data?.nextCursor ?? null);
  const loadMore = async () => {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api.get<Page<T>>(`${path}${sep}cursor=${encodeURIComponent(next!)}`);
    setMore((m) => ({
      path,
      items: [...(m?.path === path ? m.items : []), ...page.items],
      next: page.nextCursor,
    }));
  };
  const reload = () => {
    setMore(null);
    first.reload();
  };
  return { first, items, next, loadMore, reload };
}

export interface Polled<T> {
  value: T | undefined;
  error: unknown;
  done: boolean;
  timedOut: boolean;
}

/**
 * Calls `load` every `intervalMs` while `key` is set, until `finished(value)` holds, a call fails
 * (kept as `error`) or `timeoutMs` passes. A new key starts over; no key stops.
 */
export function usePoll<T>(
  key: string | null,
  load: () => Promise<T>,
  finished: (value: T) => boolean,
  intervalMs = 1000,
  timeoutMs = 90_000,
): Polled<T> {
  const [state, setState] = useState<Polled<T>>({
    value: undefined,
    error: null,
    done: false,
    timedOut: false,
  });
  useEffect(() => {
    setState({ value: undefined, error: null, done: false, timedOut: false });
    if (key === null) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const until = Date.now() + timeoutMs;
    const tick = async () => {
      try {
        const value = await load();
        if (!live) return;
        const done = finished(value);
        const timedOut = !done && Date.now() >= until;
        setState({ value, error: null, done, timedOut });
        if (!done && !timedOut) timer = setTimeout(tick, intervalMs);
      } catch (error) {
        if (live) setState((s) => ({ ...s, error }));
      }
    };
    void tick();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key]);
  return state;
}

/** A labelled `datetime-local` field (the browser's local time); `set` gets each complete value. */
export function TimeField(props: {
  label: string;
  name: string;
  value: string;
  set: (value: string) => void;
  required?: boolean;
}) {
  return (
    <label>
      {props.label}
      <input
        name={props.name}
        type="datetime-local"
        required={props.required}
        value={props.value}
        onInput={(e) => props.set(e.currentTarget.value)}
      />
    </label>
  );
}
