import { useState } from 'preact/hooks';
import {
  type CloudEventsMode,
  type Configuration,
  type CreatedWebhook,
  type TestResult,
  type Topic,
  topics,
  type Webhook,
} from '../api';
import type { PageProps } from '../main';
import { ActionButton, Badge, ErrorBox, ms, Section, time, useLoad } from '../ui';

/** Filters as text, one `field=glob` a line. */
function filtersText(c: Configuration): string {
  return c.filters.map((f) => `${f.field}=${f.expression}`).join('\n');
}

function parseList(text: string): string[] | undefined {
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return list.length ? list : undefined;
}

function WebhookForm(props: {
  initial?: Webhook;
  topic?: Topic;
  submitLabel: string;
  onSubmit: (body: {
    topic: Topic;
    address: string;
    configuration: Configuration;
  }) => Promise<void>;
  onCancel?: () => void;
}) {
  const c = props.initial?.configuration;
  const [topic, setTopic] = useState<Topic>(props.initial?.topic ?? props.topic ?? 'messages');
  const [address, setAddress] = useState(props.initial?.address ?? 'https://');
  const [filters, setFilters] = useState(c ? filtersText(c) : '');
  const [eventTypes, setEventTypes] = useState(c?.eventTypes?.join(', ') ?? '');
  const [echo, setEcho] = useState(c?.echo ?? false);
  const [mode, setMode] = useState<CloudEventsMode>(c?.cloudEventsMode ?? 'structured');
  const [ordered, setOrdered] = useState(c?.ordering === 'conversation');
  const [monotonic, setMonotonic] = useState(c?.statusMonotonic ?? false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    const configuration: Configuration = {
      ...(c ?? {}),
      echo,
      channelTypes: c?.channelTypes ?? [],
      filters: filters
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .map((line) => {
          const at = line.indexOf('=');
          return at < 0
            ? { field: line, expression: '' }
            : { field: line.slice(0, at).trim(), expression: line.slice(at + 1).trim() };
        }),
      eventTypes: parseList(eventTypes),
      cloudEventsMode: mode,
      ordering: ordered ? 'conversation' : 'none',
      statusMonotonic: monotonic,
    };
    try {
      await props.onSubmit({ topic, address: address.trim(), configuration });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const idp = props.initial ? `edit-${props.initial.topic}` : 'new';
  return (
    <form class="webhook-form" onSubmit={submit} aria-label={`${props.submitLabel} webhook`}>
      {!props.initial && (
        <label>
          Topic
          <select
            name="topic"
            value={topic}
            onChange={(e) => setTopic(e.currentTarget.value as Topic)}
          >
            {topics.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        Address
        <input
          name="address"
          id={`${idp}-address`}
          required
          value={address}
          onInput={(e) => setAddress(e.currentTarget.value)}
        />
      </label>
      <label>
        Event types <span class="hint">(comma-separated globs; empty: every type)</span>
        <input
          name="eventTypes"
          value={eventTypes}
          onInput={(e) => setEventTypes(e.currentTarget.value)}
        />
      </label>
      <label>
        Filters{' '}
        <span class="hint">
          (one <code>field=glob</code> a line, e.g. campaign_name=spring-*)
        </span>
        <textarea
          name="filters"
          rows={2}
          value={filters}
          onInput={(e) => setFilters(e.currentTarget.value)}
        />
      </label>
      <label class="inline">
        <input
          type="checkbox"
          name="echo"
          checked={echo}
          onChange={(e) => setEcho(e.currentTarget.checked)}
        />
        Deliver message echoes
      </label>
      <label>
        CloudEvents mode
        <select
          name="cloudEventsMode"
          value={mode}
          onChange={(e) => setMode(e.currentTarget.value as CloudEventsMode)}
        >
          <option value="structured">structured: the whole event as the JSON body</option>
          <option value="binary">binary: data as the body, attributes in ce- headers</option>
        </select>
      </label>
      <label class="inline">
        <input
          type="checkbox"
          name="ordering"
          checked={ordered}
          onChange={(e) => setOrdered(e.currentTarget.checked)}
        />
        Deliver each conversation in order (one at a time; costs throughput)
      </label>
      <label class="inline">
        <input
          type="checkbox"
          name="statusMonotonic"
          checked={monotonic}
          onChange={(e) => setMonotonic(e.currentTarget.checked)}
        />
        Never send a status earlier than one already delivered
      </label>
      <div class="buttons">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? `${props.submitLabel}…` : props.submitLabel}
        </button>
        {props.onCancel && (
          <button type="button" class="plain" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
      <ErrorBox error={error} />
    </form>
  );
}

function TestOutcome({ result }: { result: TestResult }) {
  return (
    <div class={`test-outcome ${result.outcome === 'succeeded' ? 'ok' : 'bad'}`} role="status">
      Test {result.outcome}:{' '}
      {result.statusCode === null ? 'no HTTP answer' : `HTTP ${result.statusCode}`},{' '}
      {ms(result.latencyMs)}
      {result.error && <> — {result.error}</>}
      {result.responseBody && <pre class="snippet">{result.responseBody.slice(0, 500)}</pre>}
    </div>
  );
}

function WebhookCard(props: {
  webhook: Webhook;
  base: string;
  api: PageProps['api'];
  changed: () => void;
}) {
  const { webhook: w, api, base } = props;
  const [editing, setEditing] = useState(false);
  const [test, setTest] = useState<TestResult | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const path = `${base}/webhooks/${w.topic}`;
  const rotating = w.secrets.filter((s) => s.expiresAt !== null);
  return (
    <Section title={w.topic} actions={<Badge value={w.state} />}>
      {editing ? (
        <WebhookForm
          initial={w}
          submitLabel="Save"
          onCancel={() => setEditing(false)}
          onSubmit={async ({ address, configuration }) => {
            await api.patch(path, { address, configuration });
            setEditing(false);
            props.changed();
          }}
        />
      ) : (
        <dl class="facts">
          <dt>Address</dt>
          <dd>
            <code class="wrap">{w.address}</code>
          </dd>
          <dt>Secrets</dt>
          <dd>
            {w.secrets.length} live
            {rotating.length > 0
              ? ` — rotating: ${rotating.map((s) => `${s.id} expires ${time(s.expiresAt)}`).join(', ')}`
              : ' — not rotating'}
          </dd>
          <dt>Filters</dt>
          <dd>
            {w.configuration.filters.length === 0
              ? 'none'
              : w.configuration.filters.map((f) => `${f.field}=${f.expression}`).join('; ')}
          </dd>
          <dt>Event types</dt>
          <dd>{w.configuration.eventTypes?.join(', ') ?? 'every type'}</dd>
          <dt>CloudEvents mode</dt>
          <dd>{w.configuration.cloudEventsMode ?? 'structured'}</dd>
          <dt>Ordering</dt>
          <dd>
            {w.configuration.ordering === 'conversation' ? 'per conversation' : 'none'}
            {w.configuration.statusMonotonic ? '; statuses never go back' : ''}
          </dd>
          <dt>Updated</dt>
          <dd>{time(w.updatedAt)}</dd>
        </dl>
      )}
      {secret && (
        <p>
          New signing secret (shown only now): <code class="secret">{secret}</code>
        </p>
      )}
      <div class="buttons">
        <ActionButton
          label="Send test"
          busyLabel="Sending test…"
          kind="primary"
          run={async () => {
            setTest(null);
            setTest(await api.post<TestResult>(`${path}/test`));
            props.changed();
          }}
        />
        {!editing && (
          <button type="button" class="plain" onClick={() => setEditing(true)}>
            Edit
          </button>
        )}
        <ActionButton
          label="Rotate secret"
          run={async () => {
            const r = await api.post<{ secret: { value: string } }>(`${path}/rotate-secret`, {});
            setSecret(r.secret.value);
            props.changed();
          }}
        />
        <ActionButton
          label={w.state === 'disabled' ? 'Enable' : 'Disable'}
          run={async () => {
            await api.patch(path, { state: w.state === 'disabled' ? 'active' : 'disabled' });
            props.changed();
          }}
        />
        <a class="button plain" href={`#/health?topic=${w.topic}`}>
          Health
        </a>
        <ActionButton
          label="Delete"
          kind="danger"
          confirm={`Unsubscribe ${w.topic}? Deliveries to ${w.address} stop.`}
          run={async () => {
            await api.delete(path);
            props.changed();
          }}
        />
      </div>
      {test && <TestOutcome result={test} />}
    </Section>
  );
}

export function WebhooksPage({ api, businessId }: PageProps) {
  const base = `/v1/businesses/${encodeURIComponent(businessId)}`;
  const list = useLoad(() => api.get<{ items: Webhook[] }>(`${base}/webhooks`), [base]);
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  return (
    <>
      <ErrorBox error={list.error} />
      <Section title="Subscribe a topic">
        <p class="hint">
          One address per topic: subscribing a topic that has one replaces it (same id, new secret).
        </p>
        <WebhookForm
          submitLabel="Create"
          onSubmit={async (body) => {
            setCreated(await api.post<CreatedWebhook>(`${base}/webhooks`, body));
            list.reload();
          }}
        />
        {created && (
          <p role="status">
            {created.replaced ? 'Replaced' : 'Created'} {created.topic} ({created.id}). Signing
            secret, shown only now: <code class="secret">{created.secret.value}</code>
          </p>
        )}
      </Section>
      {list.loading && !list.data && <p>Loading…</p>}
      {list.data?.items.length === 0 && <p>No webhooks yet.</p>}
      <div class="cards">
        {list.data?.items.map((w) => (
          <WebhookCard key={w.id} webhook={w} base={base} api={api} changed={list.reload} />
        ))}
      </div>
    </>
  );
}
