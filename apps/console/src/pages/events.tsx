import { useState } from 'preact/hooks';
import { type CloudEvent, type Page, query, topics } from '../api';
import type { PageProps } from '../main';
import { ErrorBox, Section, time } from '../ui';

const SCAN_PAGES = 5;

/** The provider's own item the normalizer kept in the event (`data.raw`), if any. */
function rawItem(event: CloudEvent): unknown {
  const data = event.data as { raw?: unknown } | null;
  return data && typeof data === 'object' ? data.raw : undefined;
}

/**
 * The inbound audit log. A wamid is searched by the API (`messageId`); an event id or a phone
 * number is looked for in the latest events (up to 5 pages of 200), as the API has no such filter.
 */
export function EventsPage({ api, businessId }: PageProps) {
  const base = `/v1/businesses/${encodeURIComponent(businessId)}`;
  const [by, setBy] = useState<'wamid' | 'eventId' | 'phone'>('wamid');
  const [term, setTerm] = useState('');
  const [topic, setTopic] = useState('');
  const [type, setType] = useState('');
  const [results, setResults] = useState<CloudEvent[] | null>(null);
  const [scanned, setScanned] = useState(0);
  const [selected, setSelected] = useState<CloudEvent | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const search = async (e?: Event) => {
    e?.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const t = term.trim();
      const filter = {
        topic,
        type: type.trim(),
        messageId: by === 'wamid' ? t : undefined,
        limit: 200,
      };
      const found: CloudEvent[] = [];
      let cursor: string | null | undefined;
      let count = 0;
      for (let i = 0; i < (by === 'wamid' || !t ? 1 : SCAN_PAGES); i++) {
        const page = await api.get<Page<CloudEvent>>(
          `${base}/events${query({ ...filter, cursor })}`,
        );
        count += page.items.length;
        for (const event of page.items) {
          if (!t || by === 'wamid') found.push(event);
          else if (by === 'eventId' && event.id === t) found.push(event);
          else if (by === 'phone' && JSON.stringify(event).includes(t.replace(/[^0-9]/g, '')))
            found.push(event);
        }
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      setResults(found);
      setScanned(count);
      setSelected(found[0] ?? null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const siblings =
    selected && results ? results.filter((e) => e.rawid && e.rawid === selected.rawid) : [];
  return (
    <>
      <form class="filters" onSubmit={search} aria-label="Search events">
        <label>
          Search by
          <select name="by" value={by} onChange={(e) => setBy(e.currentTarget.value as typeof by)}>
            <option value="wamid">message id (wamid)</option>
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
          {by !== 'wamid' && term.trim() ? ` among the latest ${scanned}` : ''}.
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
                    <button type="button" class="link" onClick={() => setSelected(e)}>
                      {e.id}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {selected && (
        <div class="grid2 side-by-side">
          <Section title="Raw webhook">
            <dl class="facts">
              <dt>Raw id</dt>
              <dd>
                <code>{selected.rawid ?? '—'}</code>
              </dd>
              <dt>Provider</dt>
              <dd>{selected.provider ?? '—'}</dd>
              <dt>Source</dt>
              <dd>
                <code class="wrap">{selected.source}</code>
              </dd>
              <dt>Environment</dt>
              <dd>{selected.environment ?? '—'}</dd>
            </dl>
            {rawItem(selected) !== undefined && (
              <>
                <h3>The provider's item as received</h3>
                <pre class="json" tabIndex={0} aria-label="Raw webhook item JSON">
                  {JSON.stringify(rawItem(selected), null, 2)}
                </pre>
              </>
            )}
            <p class="hint">
              The admin API does not serve whole raw request bodies; the item above is the part of
              it this event came from (<code>data.raw</code>). Canonical events found from the same
              raw webhook:
            </p>
            <ul class="plain-list">
              {siblings.map((e) => (
                <li key={e.id}>
                  <code>{e.type}</code> {e.id === selected.id ? '(shown)' : ''}
                </li>
              ))}
            </ul>
          </Section>
          <Section title="Canonical event">
            <pre class="json" tabIndex={0} aria-label="Canonical event JSON">
              {JSON.stringify(selected, null, 2)}
            </pre>
          </Section>
        </div>
      )}
    </>
  );
}
