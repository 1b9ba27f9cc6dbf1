import { useState } from 'preact/hooks';
import {
  type HealthStats,
  type Topic,
  type Webhook,
  type WebhookHealth,
  type WindowName,
} from '../api';
import { BarChart } from '../chart';
import type { PageProps } from '../main';
import { Badge, ErrorBox, ms, percent, Section, time, useLoad } from '../ui';

const windowNames: WindowName[] = ['1h', '24h', '7d'];

function bucketLabel(iso: string, window: WindowName): string {
  const d = new Date(iso);
  return window === '7d'
    ? d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit' })
    : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

function WebhookHealthCard({
  api,
  base,
  webhook,
}: {
  api: PageProps['api'];
  base: string;
  webhook: Webhook;
}) {
  const path = `${base}/webhooks/${webhook.topic}/health`;
  const [window, setWindow] = useState<WindowName>('24h');
  const health = useLoad(() => api.get<WebhookHealth>(path), [path]);
  const stats = useLoad(() => api.get<HealthStats>(`${path}/stats`), [path]);
  const w = stats.data?.windows[window];
  const snippet = stats.data?.lastError?.responseSnippet;
  return (
    <Section
      title={webhook.topic}
      actions={
        <span class="buttons">
          {health.data && <Badge value={health.data.state} />}
          <button
            type="button"
            class="plain"
            onClick={() => {
              health.reload();
              stats.reload();
            }}
          >
            Refresh
          </button>
        </span>
      }
    >
      <ErrorBox error={health.error} />
      <ErrorBox error={stats.error} />
      <p class="hint">
        <code class="wrap">{webhook.address}</code>
      </p>
      {health.data && (
        <dl class="facts">
          <dt>State</dt>
          <dd data-testid={`state-${webhook.topic}`}>{health.data.state}</dd>
          <dt>Consecutive failures</dt>
          <dd data-testid={`failures-${webhook.topic}`}>{health.data.consecutiveFailures}</dd>
          <dt>Last success</dt>
          <dd>{time(health.data.lastSuccessAt)}</dd>
          <dt>Last error</dt>
          <dd>
            {health.data.lastError ? (
              <>
                {time(health.data.lastError.at)}:{' '}
                {health.data.lastError.statusCode !== null &&
                  `HTTP ${health.data.lastError.statusCode} `}
                {health.data.lastError.error}
              </>
            ) : (
              'none'
            )}
            {health.data.lastError && snippet && (
              <pre class="snippet" aria-label="Last error response">
                {snippet}
              </pre>
            )}
          </dd>
          {health.data.health && (
            <>
              <dt>Announced</dt>
              <dd>
                {health.data.health.status} since {time(health.data.health.changedAt)} —{' '}
                {health.data.health.reason}
              </dd>
            </>
          )}
        </dl>
      )}
      <div class="tabs" role="group" aria-label="Time window">
        {windowNames.map((name) => (
          <button
            key={name}
            type="button"
            class={name === window ? 'primary' : 'plain'}
            aria-pressed={name === window}
            onClick={() => setWindow(name)}
          >
            {name}
          </button>
        ))}
      </div>
      {w && (
        <>
          <p class="figures">
            <span>
              Success rate <strong>{percent(w.successRate)}</strong>
            </span>
            <span>
              p50 <strong>{ms(w.p50LatencyMs)}</strong>
            </span>
            <span>
              p99 <strong>{ms(w.p99LatencyMs)}</strong>
            </span>
            <span>
              {w.attempts} attempts, {w.failed} failed
            </span>
          </p>
          <div class="grid2">
            <BarChart
              label={`Success rate, ${window}`}
              from={`${window} ago`}
              max={1}
              unit={percent}
              bars={w.buckets.map((b) => ({
                value: b.successRate,
                title: `${bucketLabel(b.start, window)}: ${percent(b.successRate)} of ${b.attempts}`,
              }))}
            />
            <BarChart
              label={`p99 and p50 latency, ${window}`}
              innerLabel="inner bar: p50"
              from={`${window} ago`}
              unit={ms}
              color="var(--accent2)"
              bars={w.buckets.map((b) => ({
                value: b.p99LatencyMs,
                inner: b.p50LatencyMs,
                title: `${bucketLabel(b.start, window)}: p50 ${ms(b.p50LatencyMs)}, p99 ${ms(b.p99LatencyMs)}`,
              }))}
            />
          </div>
        </>
      )}
      {stats.data && (
        <>
          <h3>State timeline (7 days)</h3>
          {stats.data.timeline.length === 0 ? (
            <p class="hint">No attempts in the last 7 days.</p>
          ) : (
            <ol class="timeline">
              {stats.data.timeline.map((t, i) => (
                <li key={i}>
                  <Badge value={t.state} /> {time(t.at)}
                  {t.source === 'announcement' && (
                    <span class="hint"> (announced by delivery)</span>
                  )}
                  {t.detail && <span class="hint"> — {t.detail}</span>}
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </Section>
  );
}

export function HealthPage({ api, businessId, params }: PageProps) {
  const base = `/v1/businesses/${encodeURIComponent(businessId)}`;
  const list = useLoad(() => api.get<{ items: Webhook[] }>(`${base}/webhooks`), [base]);
  const only = params.get('topic') as Topic | null;
  const items = list.data?.items.filter((w) => !only || w.topic === only) ?? [];
  return (
    <>
      <ErrorBox error={list.error} />
      {only && (
        <p>
          Showing {only}. <a href="#/health">Show every webhook</a>
        </p>
      )}
      {list.data && items.length === 0 && <p>No webhooks to monitor.</p>}
      <div class="cards">
        {items.map((w) => (
          <WebhookHealthCard key={w.id} api={api} base={base} webhook={w} />
        ))}
      </div>
    </>
  );
}
