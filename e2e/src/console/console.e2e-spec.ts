import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fixtureJson } from '@switchboard/fixtures';
import { eventually, TestReceiver } from '@switchboard/testing';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { adminCall } from '../admin-client';
import { allServices, hooksPath, startReceiver, useStack } from '../stack';
import { metaSignature, postUntilTaken } from '../meta-business';

const repo = resolve(__dirname, '../../..');
const consoleDist = join(repo, 'apps/console/dist');
const screenshots = join(repo, 'docs/console');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BUNDLE_LIMIT_GZIP = 150 * 1024;
/** The normalizer's limit in this stack: a webhook of more events is dead-lettered whole. */
const MAX_EVENTS_PER_WEBHOOK = 3;

/** A subscriber endpoint that is down: every request answers 503 with a short body. */
function startFailingReceiver(): Promise<TestReceiver> {
  return new TestReceiver({
    reply: { status: 503, headers: { 'content-type': 'text/plain' }, body: 'receiver down' },
  }).start();
}

/** Clicks `refresh` until `target` shows (the read model fills asynchronously); no fixed sleeps. */
async function refreshUntilVisible(refresh: Locator, target: Locator, what: string) {
  await eventually(
    async () => {
      await refresh.click();
      return await target
        .first()
        .waitFor({ state: 'visible', timeout: 1500 })
        .then(() => true)
        .catch(() => undefined);
    },
    { timeoutMs: 45_000, what },
  );
}

/** A signed POST of `payload` to a source's webhook URL, retried until ingress takes it (200). */
async function postSigned(url: string, appSecret: string, payload: unknown): Promise<void> {
  const body = Buffer.from(JSON.stringify(payload));
  await postUntilTaken(url, body, metaSignature(appSecret, body));
}

/** How far the page scrolls sideways (0 when it fits the viewport's width). */
const overflowScript =
  'document.documentElement.scrollWidth - document.documentElement.clientWidth';

/** A `datetime-local` input's value for an instant, in the browser's (and this process's) zone. */
function local(at: Date): string {
  return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** The top-left corner and size of an element on the page. */
async function box(locator: Locator) {
  const b = await locator.boundingBox();
  if (!b) throw new Error('element not laid out');
  return b;
}

describe('Web console in Chromium: webhooks, health, delivery log, events, dead letters', () => {
  const stack = useStack('console');
  let receiver: TestReceiver;
  let failing: TestReceiver;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) {
      throw new Error(
        `Chromium is missing at ${chromiumPath}: install it with ` +
          '`apt-get install -y --no-install-recommends chromium` (./sb test does it), or set CHROMIUM_PATH',
      );
    }
    if (!existsSync(join(consoleDist, 'index.html'))) {
      throw new Error(
        'The console is not built: run `npm run build -w @switchboard/console` (./sb test builds it)',
      );
    }
    receiver = await startReceiver();
    failing = await startFailingReceiver();
    await stack.start(allServices, {
      env: { MAX_EVENTS_PER_WEBHOOK: String(MAX_EVENTS_PER_WEBHOOK) },
    });
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => {
      // a 4xx the test provokes on purpose is logged by Chromium as a failed resource; anything else counts
      if (m.type() === 'error' && !/Failed to load resource: .* status of 400/.test(m.text())) {
        consoleErrors.push(m.text());
      }
    });
    page.on('pageerror', (err) => consoleErrors.push(String(err)));
  });

  afterAll(async () => {
    await browser?.close();
    await receiver?.stop();
    await failing?.stop();
  });

  it('is a bundle of at most 150 KB gzipped', () => {
    const files = readdirSync(join(consoleDist, 'assets')).map((f) =>
      join(consoleDist, 'assets', f),
    );
    files.push(join(consoleDist, 'index.html'));
    const sizes = files.map((f) => {
      const bytes = readFileSync(f);
      return {
        file: f.slice(consoleDist.length + 1),
        raw: bytes.length,
        gzip: gzipSync(bytes).length,
      };
    });
    const total = sizes.reduce((n, s) => n + s.gzip, 0);
    console.log(
      `console bundle: ${sizes.map((s) => `${s.file} ${(s.raw / 1024).toFixed(1)} KB (${(s.gzip / 1024).toFixed(1)} KB gzip)`).join(', ')}; ` +
        `total ${(total / 1024).toFixed(1)} KB gzipped (limit 150 KB)`,
    );
    expect(total).toBeLessThanOrEqual(BUNDLE_LIMIT_GZIP);
  });

  it('creates a business and webhooks, shows a delivered webhook in the log, finds its event with the raw webhook, replays an inbound dead letter, retries an outbound one and shows a failing test in the health monitor', async () => {
    const base = stack.service('subscriptions').url;
    const shot = (name: string) =>
      page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });

    // given the console, signed in with the operator key
    await page.goto(`${base}/console/`);
    await page.getByLabel('Operator').check();
    await page.getByLabel('Operator key').fill(stack.operatorKey);
    await page.getByRole('button', { name: 'Sign in' }).click();

    // when the operator creates a business in the picker and opens it
    await page.getByLabel('Name').fill('Console Shoes');
    await page.getByRole('button', { name: 'Create' }).click();
    const apiKey = (await page.locator('code.secret').textContent())!;
    expect(apiKey).toMatch(/^sk_/);
    await page.getByRole('button', { name: /^Open biz_/ }).click();
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    const businessId = (await page.locator('.who code').textContent())!;

    // then a refused address shows the API's own validation message
    const form = page.getByRole('form', { name: 'Create webhook' });
    await form.getByLabel('Address').fill('ftp://example.com/hook');
    await form.getByRole('button', { name: 'Create' }).click();
    await form.getByRole('alert').waitFor();
    expect(await form.getByRole('alert').textContent()).toContain('address_invalid');

    // and a good one creates the messages webhook, whose test succeeds
    await form.getByLabel('Address').fill(receiver.url(hooksPath));
    await form.getByLabel('Filters').fill('');
    await form.getByRole('button', { name: 'Create' }).click();
    await page.getByText(/Created messages/).waitFor();
    const card = page.locator('section.card', {
      has: page.getByRole('heading', { name: 'messages' }),
    });
    // (structured CloudEvents unless chosen otherwise)
    await card.getByText('structured', { exact: true }).waitFor();
    await card.getByRole('button', { name: 'Send test' }).click();
    await card.getByText(/Test succeeded: HTTP 200/).waitFor({ timeout: 30_000 });
    await shot('webhooks');

    // when the provider posts a signed Meta webhook for the business's source
    const key = { 'x-api-key': apiKey };
    const source = await adminCall<{ webhookUrl: string }>(
      base,
      'POST',
      `/v1/businesses/${businessId}/sources`,
      key,
      {
        provider: 'meta',
        appSecret: 'e2e-console-app-secret',
        externalIds: { wabaIds: ['102290129340398'], phoneNumberIds: ['106540352242922'] },
      },
    );
    expect(source.status).toBe(201);
    const wamid = `wamid.console-${randomUUID()}`;
    const payload = fixtureJson<{
      entry: { changes: { value: { messages: { id: string }[] } }[] }[];
    }>('meta/text-message.json');
    payload.entry[0]!.changes[0]!.value.messages[0]!.id = wamid;
    await postSigned(source.body.webhookUrl, 'e2e-console-app-secret', payload);

    // then the delivery log shows it delivered, with its attempt
    await page.getByRole('link', { name: 'Delivery log' }).click();
    const row = page.locator('tr', { hasText: 'whatsapp.message.received' });
    await refreshUntilVisible(
      page.getByRole('button', { name: 'Refresh' }),
      row,
      'the delivery in the log',
    );
    await row.getByRole('button', { name: 'Attempts' }).click();
    const attempts = page.getByRole('table', { name: /^Attempts of/ });
    await attempts.waitFor();
    expect(await attempts.textContent()).toContain('200');
    await shot('delivery-log');

    // and the event-type filter is the API's: another family hides it, its own shows it again,
    // and a malformed type shows the API's message
    const eventType = page
      .getByRole('form', { name: 'Filter deliveries' })
      .getByLabel('Event type');
    const filterBy = async (value: string) => {
      await eventType.fill(value);
      await eventType.blur();
    };
    await filterBy('platform.*');
    await page.getByText('No deliveries match.').waitFor();
    await filterBy('whatsapp.message.*');
    await row.waitFor();
    await filterBy('Not A Type');
    const refused = page.getByText(/eventType: must be an event type/);
    await refused.waitFor();
    expect(await row.count()).toBe(0);
    await filterBy('');
    await refused.waitFor({ state: 'detached' });
    await row.waitFor();

    // and recovering a time range is sent to the delivery service, the API's answer shown
    const recover = page.getByRole('form', { name: 'Recover deliveries' });
    await recover.getByLabel('Since').fill(local(new Date(Date.now() - 3600_000)));
    await recover.getByRole('button', { name: 'Recover' }).click();
    await page.getByText(/Recovery of messages since .* sent \(command /).waitFor();

    // and the events page finds it by wamid through the API's search (q: id, wamid or phone)
    await page.getByRole('link', { name: 'Events' }).click();
    await page.getByLabel('Value').fill(wamid);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('1 event found').waitFor();
    expect(await page.locator('table.events tbody tr').count()).toBe(1);
    // and its raw webhook, as received, beside the canonical events it became
    const rawSection = page.locator('section.card', {
      has: page.getByRole('heading', { name: 'Raw webhook' }),
    });
    const eventsSection = page.locator('section.card', {
      has: page.getByRole('heading', { name: /^Canonical events \(1\)/ }),
    });
    const rawBody = page.getByLabel('Raw webhook body');
    await rawBody.waitFor();
    expect(JSON.parse((await rawBody.textContent())!)).toEqual(payload);
    expect(await rawSection.textContent()).toContain('meta');
    expect(await page.getByLabel('Canonical event JSON').textContent()).toContain(wamid);
    const [rawAt, eventsAt] = [await box(rawSection), await box(eventsSection)];
    expect(eventsAt.x).toBeGreaterThan(rawAt.x + rawAt.width - 1);
    expect(Math.abs(eventsAt.y - rawAt.y)).toBeLessThan(2);
    // and a search matching nothing says so
    await page.getByLabel('Value').fill(`wamid.none-${randomUUID()}`);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('0 events found').waitFor();
    await page.getByLabel('Value').fill(wamid);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByLabel('Raw webhook body').waitFor();
    await shot('events');

    // at 390 px the raw webhook and the canonical events stack
    await page.setViewportSize({ width: 390, height: 844 });
    const [rawNarrow, eventsNarrow] = [await box(rawSection), await box(eventsSection)];
    expect(eventsNarrow.y).toBeGreaterThanOrEqual(rawNarrow.y + rawNarrow.height - 1);
    expect(await page.evaluate<number>(overflowScript)).toBe(0);
    await shot('events-390px');
    await page.setViewportSize({ width: 1280, height: 900 });

    // when the provider posts a webhook of more events than the normalizer takes
    const message = payload.entry[0]!.changes[0]!.value.messages[0]!;
    const oversized = structuredClone(payload);
    oversized.entry[0]!.changes[0]!.value.messages = Array.from(
      { length: MAX_EVENTS_PER_WEBHOOK + 1 },
      (_, i) => ({ ...message, id: `wamid.console-oversized-${i}-${randomUUID()}` }),
    );
    await postSigned(source.body.webhookUrl, 'e2e-console-app-secret', oversized);

    // then the Dead letters page lists it as an inbound dead letter, never replayed
    await page.getByRole('link', { name: 'Dead letters' }).click();
    const inbound = page.getByRole('table', { name: 'Inbound dead letters' });
    const dlRow = inbound.locator('tr', { hasText: 'too_many_events' });
    await refreshUntilVisible(
      page
        .getByRole('form', { name: 'Filter inbound dead letters' })
        .getByRole('button', { name: 'Refresh' }),
      dlRow,
      'the inbound dead letter in the list',
    );
    expect(await dlRow.textContent()).toContain('never_replayed');
    expect(await dlRow.textContent()).toContain('whole webhook');

    // and its details give the reason and the raw body as received
    // (reached from the list's Refresh button with Tab, opened with Enter)
    await page
      .getByRole('form', { name: 'Filter inbound dead letters' })
      .getByRole('button', { name: 'Refresh' })
      .focus();
    await page.keyboard.press('Tab');
    expect(
      await page.evaluate<string>('document.activeElement?.getAttribute("aria-label")'),
    ).toMatch(/^Details of /);
    await page.keyboard.press('Enter');
    const state = page.getByTestId('replay-state');
    expect(await state.textContent()).toBe('never replayed');
    await page.getByText(`at most ${MAX_EVENTS_PER_WEBHOOK} per webhook`).first().waitFor();
    expect(JSON.parse((await page.getByLabel('Dead letter raw body').textContent())!)).toEqual(
      oversized,
    );

    // when it is replayed (the limit still applies, so it is dead-lettered again)
    // (Tab from the raw body reaches Replay; Enter presses it)
    await page.getByLabel('Dead letter raw body').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement?.textContent')).toBe('Replay');
    await page.keyboard.press('Enter');
    await page
      .getByText(/^Replay .* sent; waiting for the normalizer/)
      .or(page.getByText(/^Replay .* done:/))
      .first()
      .waitFor();

    // then the replay's outcome shows once the normalizer has recorded it
    const done = page.getByText(
      /^Replay .* done: dead-lettered at .*: \d+ events? produced, 0 new and published, 1 dead letter\./,
    );
    await done.waitFor({ timeout: 60_000 });
    expect(await state.textContent()).toMatch(/^replayed — last replay dead-lettered/);
    await page.getByRole('button', { name: 'Refresh the list' }).click();
    await dlRow.first().filter({ hasText: 'dead_lettered' }).waitFor();
    await shot('dead-letters');

    // and a replay range the API refuses shows its message
    const replayRange = page.getByRole('form', { name: 'Replay dead letters' });
    const later = local(new Date(Date.now() + 3600_000));
    const earlier = local(new Date(Date.now() - 3600_000));
    await replayRange.getByLabel('Since').fill(later);
    await replayRange.getByLabel('Until').fill(earlier);
    await replayRange.getByRole('button', { name: 'Replay range' }).click();
    await page.getByRole('alert').filter({ hasText: 'HTTP 400' }).waitFor();

    // when the webhook points at a failing receiver and a test is sent
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await card.getByRole('button', { name: 'Edit' }).click();
    await card.getByLabel('Address').fill(failing.url('hooks/down'));
    await card.getByLabel('CloudEvents mode').selectOption('binary');
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByText(failing.url('hooks/down')).waitFor();
    await card.getByText('binary', { exact: true }).waitFor();
    await card.getByRole('button', { name: 'Send test' }).click();

    // then the failure shows with the receiver's answer
    const outcome = card.getByRole('status').filter({ hasText: 'Test failed' });
    await outcome.waitFor({ timeout: 30_000 });
    expect(await outcome.textContent()).toContain('HTTP 503');
    expect(await outcome.textContent()).toContain('receiver down');

    // and the health monitor shows the failure: one consecutive failure, active then failing
    await page.getByRole('link', { name: 'Health monitor' }).click();
    await page.getByTestId('failures-messages').filter({ hasText: '1' }).waitFor();
    const timeline = page.locator('ol.timeline li');
    await timeline.filter({ hasText: 'failing' }).first().waitFor();
    expect(await timeline.first().textContent()).toContain('active');
    await page.getByLabel('Last error response').filter({ hasText: 'receiver down' }).waitFor();
    await page.locator('.chart svg rect').first().waitFor();
    await shot('health');

    // and each time window redraws the charts from that window's figures
    const windows = page.getByRole('group', { name: 'Time window' });
    for (const name of ['1h', '7d', '24h']) {
      await windows.getByRole('button', { name }).click();
      expect(await windows.getByRole('button', { name }).getAttribute('aria-pressed')).toBe('true');
      await page.getByRole('img', { name: `Success rate, ${name}` }).waitFor();
      await page.getByRole('img', { name: `p99 and p50 latency, ${name}` }).waitFor();
    }

    // when a webhook's deliveries to the failing receiver run out of retries (one retry after 1 s)
    const webhookPath = `/v1/businesses/${businessId}/webhooks/messages`;
    const current = await adminCall<{ configuration: Record<string, unknown> }>(
      base,
      'GET',
      webhookPath,
      key,
    );
    const patched = await adminCall(base, 'PATCH', webhookPath, key, {
      configuration: { ...current.body.configuration, retry: { schedule: [1] } },
    });
    expect(patched.status).toBe(200);
    const undeliverable = structuredClone(payload);
    undeliverable.entry[0]!.changes[0]!.value.messages[0]!.id = `wamid.console-dl-${randomUUID()}`;
    await postSigned(source.body.webhookUrl, 'e2e-console-app-secret', undeliverable);

    // then the Dead letters page lists the delivery as an outbound dead letter
    await page.getByRole('link', { name: 'Dead letters' }).click();
    const outboundRow = page
      .getByRole('table', { name: 'Outbound dead letters' })
      .locator('tr', { hasText: 'whatsapp.message.received' });
    await refreshUntilVisible(
      page
        .getByRole('form', { name: 'Filter outbound dead letters' })
        .getByRole('button', { name: 'Refresh' }),
      outboundRow,
      'the outbound dead letter in the list',
    );
    expect(await outboundRow.first().textContent()).toContain('503');

    // and Retry shows the new attempt's outcome once delivery has made it
    await outboundRow.first().getByRole('button', { name: 'Retry' }).click();
    await outboundRow
      .first()
      .getByRole('status')
      .filter({ hasText: /new attempt #\d+: (failed|dead_lettered) HTTP 503/ })
      .waitFor({ timeout: 60_000 });
    await shot('dead-letters-outbound');

    // and at 390 px the pages fit the width, the first Tab reaches the skip link
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of ['webhooks', 'health', 'deliveries', 'events', 'dead-letters']) {
      await page.goto(`${base}/console/#/${path}`);
      await page.locator('main h1').waitFor();
      if (path === 'dead-letters') {
        // measured with both lists loaded; the retried outbound dead letter may be
        // in flight again (listed once more when its retries run out), so a list
        // may also answer with its empty message
        for (const direction of ['Inbound', 'Outbound']) {
          await page
            .getByRole('table', { name: `${direction} dead letters` })
            .or(page.getByText(`No ${direction.toLowerCase()} dead letters match.`))
            .waitFor();
        }
      }
      const overflow = await page.evaluate<number>(overflowScript);
      expect({ path, overflow }).toEqual({ path, overflow: 0 });
      if (path === 'dead-letters') await shot('dead-letters-390px');
    }
    await page.goto(`${base}/console/#/health`);
    await page.locator('.chart svg').first().waitFor();
    await shot('health-390px');
    await page.reload();
    await page.locator('main h1').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement?.textContent')).toBe(
      'Skip to content',
    );
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement?.textContent')).toBe('Webhooks');

    // and nothing was logged as an error in the browser
    expect(consoleErrors).toEqual([]);
  });

  it('signs a business in with its own key, kept out of the URL, and rotates, disables, enables and deletes its webhook from the page', async () => {
    // given a business with a templates webhook, made through the API
    const base = stack.service('subscriptions').url;
    const business = await stack.createBusiness('Console Keys');
    const apiKey = business.key['x-api-key']!;
    const made = await stack.admin('POST', `${business.base}/webhooks`, business.key, {
      topic: 'templates',
      address: receiver.url('hooks/templates'),
      configuration: {},
    });
    expect(made.status).toBe(201);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const tab = await context.newPage();
    const errors: string[] = [];
    tab.on('console', (m) => (m.type() === 'error' ? errors.push(m.text()) : undefined));
    tab.on('pageerror', (err) => errors.push(String(err)));

    // when it signs in with its id and API key
    await tab.goto(`${base}/console/`);
    await tab.getByLabel('Business (id and API key)').check();
    await tab.getByLabel('Business id').fill(business.businessId);
    await tab.getByLabel('API key', { exact: true }).fill(apiKey);
    await tab.getByRole('button', { name: 'Sign in' }).click();
    const card = tab.locator('section.card', {
      has: tab.getByRole('heading', { name: 'templates' }),
    });
    await card.waitFor();

    // then the key is in the tab's session storage, never in the URL, and a reload keeps it
    expect(tab.url()).not.toContain(apiKey);
    expect(await tab.evaluate(() => JSON.stringify(sessionStorage))).toContain(apiKey);
    await tab.reload();
    await card.waitFor();

    // when its secret is rotated, the new one is shown once and the card shows the rotation
    await card.getByRole('button', { name: 'Rotate secret' }).click();
    await card.getByText(/rotating: .* expires /).waitFor();
    const secrets = await stack.admin<{ items: { secrets: unknown[] }[] }>(
      'GET',
      `${business.base}/webhooks`,
      business.key,
    );
    expect(secrets.body.items[0]!.secrets).toHaveLength(2);

    // and disabling and enabling it change its state on the page and in the API
    await card.getByRole('button', { name: 'Disable' }).click();
    await card.getByRole('button', { name: 'Enable' }).waitFor();
    const disabled = await stack.admin<{ state: string }>(
      'GET',
      `${business.base}/webhooks/templates`,
      business.key,
    );
    expect(disabled.body.state).toBe('disabled');
    await card.getByRole('button', { name: 'Enable' }).click();
    await card.getByRole('button', { name: 'Disable' }).waitFor();

    // and deleting it, once confirmed, removes it from the page and the API
    tab.once('dialog', (dialog) => void dialog.accept());
    await card.getByRole('button', { name: 'Delete' }).click();
    await card.waitFor({ state: 'detached' });
    const left = await stack.admin<{ items: unknown[] }>(
      'GET',
      `${business.base}/webhooks`,
      business.key,
    );
    expect(left.body.items).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
