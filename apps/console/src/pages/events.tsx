import { useState } from 'preact/hooks';
import { type CloudEvent, type Page, query, type RawWebhook, topics } from '../api';
import type { PageProps } from '../main';
import { ActionButton, Badge, bodyText, ErrorBox, Section, time, useLoad } from '../ui';

type SearchBy = 'q' | 'messageId' | 'eventId' | 'phone';

/** The raw webhook an event came from, as received, beside the canonical events it became. */
function RawWebhookView({
  api,
  base,
  event,
}: {
  api: PageProps['api'];
  base: string;
  event: CloudEvent;
}) {
  const raw = useLoad(
    () => api.get<RawWebhook>(`${base}/events/${encodeURIComponent(event.id)}/raw-webhook`),
    [base, event.id],
  );
  if (raw.error) return <ErrorBox error={raw.error} />;
  if (!raw.data) return <p role="status">Loading the raw webhook…</p>;
  const r = raw.data;
  return (
    <div class="grid2 side-by-side">
      <Section title="Raw webhook" actions={<Badge value={r.outcome} />}>
        <dl class="facts">
          <dt>Raw id</dt>
          <dd>
            <code class="wrap">{r.id}</code>
          </dd>
          <dt>Provider</dt>
          <dd>{r.provider}</dd>
          <dt>Received</dt>
          <dd>{time(r.receivedAt)}</dd>
          <dt>Environment</dt>
          <dd>{r.environment}</dd>
          <dt>Content-Type</dt>
          <dd>
            <code class="wrap">{r.contentType}</code>
          </dd>
          <dt>Source</dt>
          <dd>
            <code class="wrap">{r.sourceId}</code>
          </dd>
        </dl>
        <h3>Body as received{r.bodyEncoding === 'base64' ? ' (base64)' : ''}</h3>
        <pre class="json" tabIndex={0} aria-label="Raw webhook body">
          {bodyText(r.body, r.bodyEncoding)}
        </pre>
      </Section>
      <Section title={`Canonical events (${r.events.length})`}>
        <ul class="plain-list">
          {r.events.map((e) => (
            <li key={e.id}>
              <details open={e.id === event.id}>
                <summary>
                  <code>{e.type}</code> {e.id === event.id ? '(selected)' : ''}{' '}
                  <span class="hint">{e.id}</span>
                </summary>
                <pre
                  class="json"
                  tabIndex={0}
                  aria-label={e.id === event.id ? 'Canonical event JSON' : `Event ${e.id} JSON`}
                >
                  {JSON.stringify(e, null, 2)}
                </pre>
              </details>
            </li>
          ))}
        </ul>
      </Section>
    </div>
  );
}

/**
 * The inbound audit log, searched by the API: `q` matches an event id, a message id (wamid) or a
 * phone number exactly; or one of them alone. Pages follow the API's cursor.
 */
export function EventsPage({ api, businessId }: PageProps) {
  const base = `/v1/businesses/${encodeURIComponent(businessId)}`;
  const [by, setBy] = useState<SearchBy>('q');
  const [term, setTerm] = useState('');
  const [topic, setTopic] = useState('');
  const [type, setType] = useState('');
  const [filter, setFilter] = useState<Record<string, string | undefined> | null>(null);
  const [results, setResults] = useState<CloudEvent[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [selected, setSelected] = useState<CloudEvent | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const search = async (e?: Event) => {
    e?.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const f = { topic, type: type.trim(), [by]: term.trim() };
      const page = await api.get<Page<CloudEvent>>(`${base}/events${query({ ...f, limit: 50 })}`);
      setFilter(f);
      setResults(page.items);
      setNext(page.nextCursor);
      setSelected(page.items[0] ?? null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <form class="filters" onSubmit={search} aria-label="Search events">
        <label>
          Search by
          <select name="by" value={by} onChange={(e) => setBy(e.currentTarget.value as SearchBy)}>
            <option value="q">event id, wamid or phone</option>
            <option value="messageId">message id (wamid)</option>
            <option value="eventId">event id</option>
            <option value="phone">phone number</option>
          </select>
        </label>
        <label>
          Value
          <input name="term" value={term} onInput={(e) => setTerm(e.currentTarget.value)} />
        </label>
        <label>
          Topic
          <select name="topic" value={topic} onChange={(e) => setTopic(e.currentTarget.value)}>
            <option value="">any</option>
            {topics.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Type
          <input
            name="type"
            placeholder="whatsapp.message.*"
            value={type}
            onInput={(e) => setType(e.currentTarget.value)}
          />
        </label>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Searching…' : 'Search'}
        </button>
      </form>
      <ErrorBox error={error} />
      {results && (
        <p role="status">
          {results.length} event{results.length === 1 ? '' : 's'} found
          {next ? ' so far (load more for older ones)' : ''}.
        </p>
      )}
      {results && results.length > 0 && (
        <div class="table-wrap">
          <table class="events">
            <thead>
              <tr>
                <th>Time</th>
                <th>Type</th>
                <th>Subject</th>
                <th>Event id</th>
              </tr>
            </thead>
            <tbody>
              {results.map((e) => (
                <tr key={e.id} aria-selected={selected?.id === e.id}>
                  <td>{time(e.time)}</td>
                  <td>{e.type}</td>
                  <td>{e.subject ?? '—'}</td>
                  <td>
                    <button
                      type="button"
                      class="link"
                      aria-pressed={selected?.id === e.id}
                      onClick={() => setSelected(e)}
                    >
                      {e.id}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && filter && (
        <ActionButton
          label="Load more"
          run={async () => {
            const page = await api.get<Page<CloudEvent>>(
              `${base}/events${query({ ...filter, limit: 50, cursor: next })}`,
            );
            setResults((r) => [...(r ?? []), ...page.items]);
            setNext(page.nextCursor);
          }}
        />
      )}
      {selected && <RawWebhookView api={api} base={base} event={selected} />}
    </>
  );
}
