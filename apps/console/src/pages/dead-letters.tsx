import { useState } from 'preact/hooks';
import {
  deadLetterReasons,
  type Delivery,
  type InboundDeadLetter,
  type InboundDeadLetterDetail,
  type LastReplay,
  type OutboundDeadLetter,
  type Page,
  providers,
  query,
  type ReplayAccepted,
  topics,
} from '../api';
import type { PageProps } from '../main';
import {
  ActionButton,
  Badge,
  bodyText,
  ErrorBox,
  isoOf,
  Section,
  time,
  useLoad,
  usePaged,
  usePoll,
  TimeField,
} from '../ui';
import { Recover } from './deliveries';

type Api = PageProps['api'];

function replayText(r: LastReplay): string {
  return (
    `${r.outcome.replace('_', '-')} at ${time(r.replayedAt)}: ${r.eventsProduced} event` +
    `${r.eventsProduced === 1 ? '' : 's'} produced, ${r.eventsPublished} new and published, ` +
    `${r.deadLetters} dead letter${r.deadLetters === 1 ? '' : 's'}`
  );
}

/** One inbound dead letter: why, the raw body as received, and Replay with its outcome. */
function InboundDetail(props: { api: Api; base: string; id: string; replayed: () => void }) {
  const { api } = props;
  const path = `${props.base}/inbound-dead-letters/${encodeURIComponent(props.id)}`;
  const detail = useLoad(() => api.get<InboundDeadLetterDetail>(path), [path]);
  const [request, setRequest] = useState<string | null>(null);
  const poll = usePoll(
    request,
    () => api.get<InboundDeadLetterDetail>(path),
    (d) => d.lastReplay?.requestId === request,
  );
  if (detail.error) return <ErrorBox error={detail.error} />;
  const d = (request && poll.value) || detail.data;
  if (!d) return <p role="status">Loading the dead letter…</p>;
  return (
    <Section
      title={`Dead letter ${d.id}`}
      actions={<Badge value={d.lastReplay?.outcome ?? d.replayState} />}
    >
      <dl class="facts">
        <dt>Reason</dt>
        <dd>
          <code>{d.reason.code}</code> — {d.reason.message}
        </dd>
        <dt>Provider</dt>
        <dd>{d.provider}</dd>
        <dt>Item</dt>
        <dd>{d.pointer === null ? 'the whole webhook' : <code class="wrap">{d.pointer}</code>}</dd>
        <dt>Received</dt>
        <dd>{time(d.receivedAt)}</dd>
        <dt>Dead-lettered</dt>
        <dd>{time(d.failedAt)}</dd>
        <dt>Raw webhook</dt>
        <dd>
          <code class="wrap">{d.rawWebhookId}</code>
        </dd>
        <dt>Replay state</dt>
        <dd data-testid="replay-state">
          {d.replayState === 'never_replayed' ? 'never replayed' : 'replayed'}
          {d.lastReplay && ` — last replay ${replayText(d.lastReplay)}`}
        </dd>
      </dl>
      {d.issues.length > 0 && (
        <>
          <h3>Issues</h3>
          <ul>
            {d.issues.map((i, n) => (
              <li key={n}>
                <code>{i.path.join('.') || '(root)'}</code>: {i.message} ({i.code})
              </li>
            ))}
          </ul>
        </>
      )}
      {d.item !== null && d.item !== undefined && (
        <>
          <h3>The failing item</h3>
          <pre class="json" tabIndex={0} aria-label="Failing item JSON">
            {JSON.stringify(d.item, null, 2)}
          </pre>
        </>
      )}
      <h3>
        Raw body as received ({d.contentType}
        {d.bodyEncoding === 'base64' ? ', base64' : ''})
      </h3>
      <pre class="json" tabIndex={0} aria-label="Dead letter raw body">
        {bodyText(d.body, d.bodyEncoding)}
      </pre>
      <div class="buttons">
        <ActionButton
          label="Replay"
          busyLabel="Sending replay…"
          kind="primary"
          run={async () => {
            const r = await api.post<ReplayAccepted>(`${path}/replay`);
            setRequest(r.requestId);
          }}
        />
      </div>
      {request && (
        <p role="status" class="replay-outcome">
          {poll.done && poll.value?.lastReplay
            ? `Replay ${request} done: ${replayText(poll.value.lastReplay)}.`
            : poll.timedOut
              ? `Replay ${request} sent; the normalizer has not recorded its outcome yet (reload later).`
              : `Replay ${request} sent; waiting for the normalizer…`}
        </p>
      )}
      <ErrorBox error={poll.error} />
      {poll.done && (
        <button type="button" class="plain" onClick={props.replayed}>
          Refresh the list
        </button>
      )}
    </Section>
  );
}

/** Replays every raw webhook dead-lettered in [since, until); the outcome is read back from the list. */
function ReplayRange({ api, base, onDone }: { api: Api; base: string; onDone: () => void }) {
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState<(ReplayAccepted & { since: string; until: string }) | null>(
    null,
  );
  const listPath = sent
    ? `${base}/inbound-dead-letters${query({ since: sent.since, until: sent.until, limit: 200 })}`
    : '';
  const replayedOf = (items: InboundDeadLetter[]) =>
    new Set(
      items.filter((d) => d.lastReplay?.requestId === sent?.requestId).map((d) => d.rawWebhookId),
    ).size;
  const poll = usePoll(
    sent?.requestId ?? null,
    () => api.get<Page<InboundDeadLetter>>(listPath),
    (page) => replayedOf(page.items) >= (sent?.rawWebhooks ?? 0),
    2000,
  );
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const range = { since: isoOf(since) ?? '', until: isoOf(until) ?? '' };
      const r = await api.post<ReplayAccepted>(`${base}/inbound-dead-letters/replay`, range);
      setSent({ ...r, ...range });
    } catch (err) {
      setError(err);
    }
  };
  const done = sent && poll.value ? replayedOf(poll.value.items) : 0;
  return (
    <Section title="Replay a time range">
      <p class="hint">
        Runs every raw webhook dead-lettered in the range (at most 1,000) through the normalizer's
        current mappers again; events already in the log are not published twice.
      </p>
      <form class="filters" onSubmit={submit} aria-label="Replay dead letters">
        <TimeField label="Since" name="replaySince" required value={since} set={setSince} />
        <TimeField label="Until" name="replayUntil" required value={until} set={setUntil} />
        <button type="submit" class="primary">
          Replay range
        </button>
      </form>
      <ErrorBox error={error} />
      {sent && (
        <p role="status">
          {sent.rawWebhooks} raw webhook{sent.rawWebhooks === 1 ? '' : 's'} sent to replay (request{' '}
          {sent.requestId}): {done} replayed so far
          {poll.done ? '.' : poll.timedOut ? '; the rest has not been recorded yet.' : '…'}
        </p>
      )}
      <ErrorBox error={poll.error} />
      {poll.done && sent && sent.rawWebhooks > 0 && (
        <button type="button" class="plain" onClick={onDone}>
          Refresh the list
        </button>
      )}
    </Section>
  );
}

function InboundDeadLetters({ api, base }: { api: Api; base: string }) {
  const [provider, setProvider] = useState('');
  const [reason, setReason] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const path = `${base}/inbound-dead-letters${query({
    provider,
    reason,
    since: isoOf(since),
    until: isoOf(until),
    limit: 50,
  })}`;
  const list = usePaged<InboundDeadLetter>(api, path);
  return (
    <>
      <p class="hint">
        Webhooks (or items of them) the normalizer could not turn into events. Nothing is lost: the
        raw body is kept as received and can be replayed once the cause is fixed.
      </p>
      <form
        class="filters"
        onSubmit={(e) => e.preventDefault()}
        aria-label="Filter inbound dead letters"
      >
        <label>
          Provider
          <select
            name="provider"
            value={provider}
            onChange={(e) => setProvider(e.currentTarget.value)}
          >
            <option value="">any</option>
            {providers.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          Reason
          <select name="reason" value={reason} onChange={(e) => setReason(e.currentTarget.value)}>
            <option value="">any</option>
            {deadLetterReasons.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <TimeField label="Since" name="inboundSince" value={since} set={setSince} />
        <TimeField label="Until" name="inboundUntil" value={until} set={setUntil} />
        <button type="button" class="plain" onClick={list.reload}>
          Refresh
        </button>
      </form>
      <ErrorBox error={list.first.error} />
      {list.first.data && list.items.length === 0 && <p>No inbound dead letters match.</p>}
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table class="inbound-dead-letters" aria-label="Inbound dead letters">
            <thead>
              <tr>
                <th>Dead-lettered</th>
                <th>Provider</th>
                <th>Reason</th>
                <th>Item</th>
                <th>Replay</th>
                <th>Details</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((d) => (
                <tr key={d.id} aria-selected={open === d.id}>
                  <td>{time(d.failedAt)}</td>
                  <td>{d.provider}</td>
                  <td>
                    <code>{d.reason.code}</code>
                  </td>
                  <td>{d.pointer ?? 'whole webhook'}</td>
                  <td>
                    <Badge value={d.lastReplay?.outcome ?? d.replayState} />
                  </td>
                  <td>
                    <button
                      type="button"
                      class="plain"
                      aria-expanded={open === d.id}
                      aria-label={`Details of ${d.id}`}
                      onClick={() => setOpen(open === d.id ? null : d.id)}
                    >
                      {open === d.id ? 'Hide' : 'Details'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.next && <ActionButton label="Load more" run={list.loadMore} />}
      {open && <InboundDetail api={api} base={base} id={open} replayed={list.reload} />}
      <ReplayRange api={api} base={base} onDone={list.reload} />
    </>
  );
}

/** A dead-lettered delivery sent again: its delivery is read until a new attempt is recorded. */
function OutboundOutcome(props: { api: Api; base: string; dl: OutboundDeadLetter; since: string }) {
  const poll = usePoll(
    `${props.dl.id}:${props.since}`,
    () => props.api.get<Delivery>(`${props.base}/deliveries/${encodeURIComponent(props.dl.id)}`),
    (d) => d.attemptCount > props.dl.attemptCount,
    2000,
  );
  if (poll.error) return <ErrorBox error={poll.error} />;
  const d = poll.value;
  if (poll.done && d)
    return (
      <span role="status">
        new attempt #{d.attemptCount}: <Badge value={d.outcome} />{' '}
        {d.statusCode === null ? (d.error ?? 'no answer') : `HTTP ${d.statusCode}`}
      </span>
    );
  return (
    <span role="status">{poll.timedOut ? 'no new attempt yet' : 'waiting for delivery…'}</span>
  );
}

function OutboundDeadLetters({ api, base }: { api: Api; base: string }) {
  const [topic, setTopic] = useState('');
  const [since, setSince] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const [watching, setWatching] = useState<Record<string, string>>({});
  const path = `${base}/outbound-dead-letters${query({ topic, since: isoOf(since), limit: 50 })}`;
  const list = usePaged<OutboundDeadLetter>(api, path);
  const watch = (ids: string[]) => {
    const at = new Date().toISOString();
    setWatching((w) => ({ ...w, ...Object.fromEntries(ids.map((id) => [id, at])) }));
  };
  return (
    <>
      <p class="hint">
        Deliveries whose retries ran out. Retry one, or recover a topic's failures since a time; the
        outcome shows once delivery has made a new attempt.
      </p>
      <form
        class="filters"
        onSubmit={(e) => e.preventDefault()}
        aria-label="Filter outbound dead letters"
      >
        <label>
          Topic
          <select
            name="outboundTopic"
            value={topic}
            onChange={(e) => setTopic(e.currentTarget.value)}
          >
            <option value="">any</option>
            {topics.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <TimeField label="Since" name="outboundSince" value={since} set={setSince} />
        <button type="button" class="plain" onClick={list.reload}>
          Refresh
        </button>
      </form>
      <ErrorBox error={list.first.error} />
      {notice && <p role="status">{notice}</p>}
      {list.first.data && list.items.length === 0 && <p>No outbound dead letters match.</p>}
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table class="outbound-dead-letters" aria-label="Outbound dead letters">
            <thead>
              <tr>
                <th>Dead-lettered</th>
                <th>Topic</th>
                <th>Event type</th>
                <th>Attempts</th>
                <th>Last status</th>
                <th>Reason</th>
                <th>Action</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((d) => (
                <tr key={d.id} data-event-id={d.eventId}>
                  <td>{time(d.failedAt)}</td>
                  <td>{d.topic}</td>
                  <td>{d.eventType}</td>
                  <td>{d.attemptCount}</td>
                  <td>{d.statusCode ?? '—'}</td>
                  <td>{d.reason.message}</td>
                  <td>
                    {watching[d.id] ? (
                      <OutboundOutcome api={api} base={base} dl={d} since={watching[d.id]!} />
                    ) : (
                      <ActionButton
                        label="Retry"
                        run={async () => {
                          await api.post(`${base}/deliveries/${encodeURIComponent(d.id)}/retry`);
                          watch([d.id]);
                        }}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.next && <ActionButton label="Load more" run={list.loadMore} />}
      <Recover
        api={api}
        base={base}
        onSent={(message, sent) => {
          setNotice(message);
          const from = new Date(sent.since).getTime();
          watch(
            list.items
              .filter((d) => d.topic === sent.topic && new Date(d.failedAt).getTime() >= from)
              .map((d) => d.id),
          );
        }}
      />
    </>
  );
}

/** Inbound dead letters (the normalizer's) and outbound ones (delivery's), each with its remedy. */
export function DeadLettersPage({ api, businessId }: PageProps) {
  const base = `/v1/businesses/${encodeURIComponent(businessId)}`;
  return (
    <>
      <h2>Inbound</h2>
      <InboundDeadLetters api={api} base={base} />
      <h2>Outbound</h2>
      <OutboundDeadLetters api={api} base={base} />
    </>
  );
}
