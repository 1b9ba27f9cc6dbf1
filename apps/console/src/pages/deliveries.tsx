import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { type Delivery, type DeliveryDetail, query, topics } from '../api';
import type { PageProps } from '../main';
import {
  ActionButton,
  Badge,
  ErrorBox,
  isoOf,
  ms,
  Section,
  TimeField,
  time,
  useLoad,
  usePaged,
} from '../ui';

function Attempts({ api, path }: { api: PageProps['api']; path: string }) {
  const detail = useLoad(() => api.get<DeliveryDetail>(path), [path]);
  if (detail.error) return <ErrorBox error={detail.error} />;
  if (!detail.data) return <p>Loading attempts…</p>;
  return (
    <table class="attempts">
      <caption>Attempts of {detail.data.id}</caption>
      <thead>
        <tr>
          <th>#</th>
          <th>When</th>
          <th>Outcome</th>
          <th>Status</th>
          <th>Latency</th>
          <th>Error</th>
          <th>Response</th>
        </tr>
      </thead>
      <tbody>
        {detail.data.attempts.map((a) => (
          <tr key={a.id}>
            <td>{a.attempt}</td>
            <td>{time(a.attemptedAt)}</td>
            <td>
              <Badge value={a.outcome} />
            </td>
            <td>{a.statusCode ?? '—'}</td>
            <td>{ms(a.latencyMs)}</td>
            <td>{a.error ?? '—'}</td>
            <td>
              {a.responseBody ? <pre class="snippet">{a.responseBody.slice(0, 300)}</pre> : '—'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The delivery log: filters, attempts per delivery, retry one; `outcome` may be fixed by the caller. */
export function DeliveryLog({
  api,
  businessId,
  fixedOutcome,
}: PageProps & { fixedOutcome?: string }) {
  const base = `/v1/businesses/${encodeURIComponent(businessId)}`;
  const [topic, setTopic] = useState('');
  const [outcome, setOutcome] = useState(fixedOutcome ?? '');
  // What is typed in the event type field, and the filter it became (on change: blur or Enter).
  const [typeDraft, setTypeDraft] = useState('');
  const [eventType, setEventType] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // Every filter is the API's: the server pages through what matches, however far back.
  const path = `${base}/deliveries${query({
    topic,
    outcome,
    eventType: eventType.trim(),
    since: isoOf(since),
    until: isoOf(until),
    limit: 100,
  })}`;
  const list = usePaged<Delivery>(api, path);
  const { first } = list;
  // A refused filter shows the API's message, not the rows of the filter before it.
  const shown = first.error ? [] : list.items;

  return (
    <>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter deliveries">
        <label>
          Topic
          <select name="topic" value={topic} onChange={(e) => setTopic(e.currentTarget.value)}>
            <option value="">any</option>
            {topics.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        {fixedOutcome === undefined && (
          <label>
            Status
            <select
              name="outcome"
              value={outcome}
              onChange={(e) => setOutcome(e.currentTarget.value)}
            >
              <option value="">any</option>
              <option value="succeeded">succeeded</option>
              <option value="failed">failed (retrying)</option>
              <option value="dead_lettered">dead-lettered</option>
              <option value="suppressed">suppressed (status not sent)</option>
            </select>
          </label>
        )}
        <label>
          Event type
          <input
            name="eventType"
            placeholder="whatsapp.message.*"
            value={typeDraft}
            onInput={(e) => setTypeDraft(e.currentTarget.value)}
            onChange={(e) => setEventType(e.currentTarget.value)}
          />
        </label>
        <TimeField label="Since" name="since" value={since} set={setSince} />
        <TimeField label="Until" name="until" value={until} set={setUntil} />
        <button type="button" class="plain" onClick={list.reload}>
          Refresh
        </button>
      </form>
      <p class="hint">
        Event type takes a type or a family ending in <code>.*</code>; since and until bound the
        time of each delivery's latest attempt.
      </p>
      <ErrorBox error={first.error} />
      {notice && <p role="status">{notice}</p>}
      {first.data && !first.error && shown.length === 0 && <p>No deliveries match.</p>}
      <div class="table-wrap">
        <table class="deliveries">
          <thead>
            <tr>
              <th>Last attempt</th>
              <th>Topic</th>
              <th>Event type</th>
              <th>Status</th>
              <th>Attempts</th>
              <th>Code</th>
              <th>Error</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((d) => (
              <Fragment key={d.id}>
                <tr data-event-id={d.eventId}>
                  <td>{time(d.lastAttemptAt)}</td>
                  <td>{d.topic}</td>
                  <td>{d.eventType}</td>
                  <td>
                    <Badge value={d.outcome} />
                  </td>
                  <td>{d.attemptCount}</td>
                  <td>{d.statusCode ?? '—'}</td>
                  <td>{d.error ?? '—'}</td>
                  <td class="buttons">
                    <button
                      type="button"
                      class="plain"
                      aria-expanded={open === d.id}
                      onClick={() => setOpen(open === d.id ? null : d.id)}
                    >
                      {open === d.id ? 'Hide attempts' : 'Attempts'}
                    </button>
                    {d.outcome !== 'succeeded' && (
                      <ActionButton
                        label="Retry"
                        run={async () => {
                          const r = await api.post<{ commandId: string }>(
                            `${base}/deliveries/${encodeURIComponent(d.id)}/retry`,
                          );
                          setNotice(`Retry of ${d.id} sent (command ${r.commandId}).`);
                        }}
                      />
                    )}
                  </td>
                </tr>
                {open === d.id && (
                  <tr>
                    <td colSpan={8}>
                      <Attempts api={api} path={`${base}/deliveries/${encodeURIComponent(d.id)}`} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
      {list.next && !first.error && <ActionButton label="Load more" run={list.loadMore} />}
      <Recover api={api} base={base} onSent={setNotice} />
    </>
  );
}

/** Asks delivery to send again what failed for a topic since a time (`…/webhooks/:topic/recover`). */
export function Recover({
  api,
  base,
  onSent,
}: {
  api: PageProps['api'];
  base: string;
  onSent: (s: string, sent: { topic: string; since: string; commandId: string }) => void;
}) {
  const [topic, setTopic] = useState('messages');
  const [since, setSince] = useState('');
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const at = since ? new Date(since).toISOString() : '';
      const r = await api.post<{ commandId: string }>(`${base}/webhooks/${topic}/recover`, {
        since: at,
      });
      onSent(`Recovery of ${topic} since ${at} sent (command ${r.commandId}).`, {
        topic,
        since: at,
        commandId: r.commandId,
      });
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Section title="Recover a time range">
      <p class="hint">Delivery sends again every delivery of the topic that failed since then.</p>
      <form class="filters" onSubmit={submit} aria-label="Recover deliveries">
        <label>
          Topic
          <select
            name="recoverTopic"
            value={topic}
            onChange={(e) => setTopic(e.currentTarget.value)}
          >
            {topics.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <TimeField label="Since" name="recoverSince" required value={since} set={setSince} />
        <button type="submit" class="primary">
          Recover
        </button>
      </form>
      <ErrorBox error={error} />
    </Section>
  );
}

export function DeliveriesPage(props: PageProps) {
  return <DeliveryLog {...props} />;
}
