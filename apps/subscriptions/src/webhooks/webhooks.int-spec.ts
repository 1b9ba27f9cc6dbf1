import { eventually } from '@switchboard/testing';
import { latestByKey, SubscriptionsUnderTest } from '../../test/subscriptions-app';
import type { CreatedBusiness } from '../businesses/businesses.schemas';
import type {
  CreatedWebhook,
  RotatedWebhookSecret,
  Webhook,
  WebhookList,
} from './webhooks.schemas';

interface ErrorBody {
  error: { code: string; message: string };
}

const address = 'https://127.0.0.1:8443/hooks/whatsapp';

describe('webhook subscriptions over REST (real PostgreSQL and Kafka)', () => {
  const service = new SubscriptionsUnderTest();
  let business: CreatedBusiness;
  let key: Record<string, string>;
  let base: string;

  beforeAll(async () => {
    await service.start();
    business = await service.createBusiness({ name: 'Hooks Ltd' });
    key = { 'x-api-key': business.apiKey.key };
    base = `/v1/businesses/${business.id}/webhooks`;
  });
  afterAll(() => service.stop());

  function create(payload: unknown) {
    return service.request<CreatedWebhook & ErrorBody>({
      method: 'POST',
      url: base,
      headers: key,
      payload,
    });
  }

  it('goes through the whole lifecycle of a subscription', async () => {
    // when the business subscribes an address to messages
    const created = await create({
      topic: 'messages',
      address,
      configuration: {
        echo: true,
        filters: [{ field: 'campaign_name', expression: 'spring-sale-*' }],
        retry: { schedule: [5, 30, 120], timeoutMs: 5000 },
      },
    });

    // then it answers 201 with defaults filled in and a whsec_ signing secret shown once
    expect(created.statusCode).toBe(201);
    const webhook = created.body;
    expect(webhook).toEqual(
      expect.objectContaining({
        id: expect.stringMatching(/^sub_/),
        businessId: business.id,
        topic: 'messages',
        address,
        state: 'active',
        replaced: false,
        configuration: {
          echo: true,
          channelTypes: [],
          filters: [{ field: 'campaign_name', expression: 'spring-sale-*' }],
          retry: { schedule: [5, 30, 120], timeoutMs: 5000 },
          cloudEventsMode: 'structured',
          ordering: 'none',
          statusMonotonic: false,
        },
        secret: {
          id: expect.stringMatching(/^whs_/),
          value: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+=*$/),
          createdAt: expect.any(String),
        },
      }),
    );

    // and reading it back never shows the secret
    const got = await service.request<Webhook>({
      method: 'GET',
      url: `${base}/messages`,
      headers: key,
    });
    expect(got.statusCode).toBe(200);
    expect(got.text).not.toContain(webhook.secret.value);
    const { secret: _s, replaced: _r, ...view } = webhook;
    expect(got.body).toEqual(view);
    const list = await service.request<WebhookList>({ method: 'GET', url: base, headers: key });
    expect(list.body.items).toEqual([view]);

    // when it is patched, then address, configuration and state change and the version increases
    const patched = await service.request<Webhook>({
      method: 'PATCH',
      url: `${base}/messages`,
      headers: key,
      payload: {
        address: 'https://localhost:9443/other',
        configuration: { eventTypes: ['whatsapp.message.received'], environments: ['sandbox'] },
        state: 'disabled',
      },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.body).toEqual(
      expect.objectContaining({
        id: webhook.id,
        address: 'https://localhost:9443/other',
        state: 'disabled',
        configuration: {
          echo: false,
          channelTypes: [],
          filters: [],
          eventTypes: ['whatsapp.message.received'],
          environments: ['sandbox'],
          cloudEventsMode: 'structured',
          ordering: 'none',
          statusMonotonic: false,
        },
      }),
    );
    expect(patched.body.version).toBeGreaterThan(webhook.version);

    // when its secret is rotated, then the new one leads and the old one signs for the grace period
    const rotated = await service.request<RotatedWebhookSecret>({
      method: 'POST',
      url: `${base}/messages/rotate-secret`,
      headers: key,
      payload: { graceSeconds: 3600 },
    });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.body.secret.value).toMatch(/^whsec_/);
    expect(rotated.body.webhook.secrets.map((s) => s.id)).toEqual([
      rotated.body.secret.id,
      webhook.secret.id,
    ]);
    expect(rotated.body.webhook.secrets[1]!.expiresAt).not.toBeNull();

    // when it is deleted, then it is gone
    const deleted = await service.request({
      method: 'DELETE',
      url: `${base}/messages`,
      headers: key,
    });
    expect(deleted.statusCode).toBe(204);
    const gone = await service.request<ErrorBody>({
      method: 'GET',
      url: `${base}/messages`,
      headers: key,
    });
    expect(gone.statusCode).toBe(404);
    expect(gone.body.error).toEqual({
      code: 'webhook_not_found',
      message: 'No webhook subscription to messages in this business',
    });
  });

  describe("Connectly's registration call", () => {
    /** The body of Connectly's "Create a webhook registration by event topic", as written. */
    const seedBody = {
      topic: 'topic_unspecified',
      address: 'text',
      type: 'webhook_type_unspecified',
      configuration: {
        echo: true,
        channelTypes: ['sms'],
        webengageConfiguration: { webengageToken: 'text', webengageWebhookUrl: 'text' },
        filters: [{ field: 'campaign_name', expression: 'test-campaign-*' }],
      },
    };

    // a business of its own, so that its topics are free
    let client: CreatedBusiness;
    beforeAll(async () => {
      client = await service.createBusiness({ name: 'Connectly Client Co' });
    });

    function register(payload: unknown) {
      return service.request<{ id: string } & ErrorBody>({
        method: 'POST',
        url: `/v1/businesses/${client.id}/create/webhooks`,
        headers: { 'x-api-key': client.apiKey.key },
        payload,
      });
    }

    it('refuses topic_unspecified, given or by default, with a clear 400', async () => {
      const asWritten = await register(seedBody);
      const { topic: _t, ...withoutTopic } = seedBody;
      const absent = await register({ ...withoutTopic, address });

      for (const res of [asWritten, absent]) {
        expect(res.statusCode).toBe(400);
        expect(res.body.error.code).toBe('invalid_request');
        expect(res.body.error.message).toBe(
          'topic: topic_unspecified names no topic; give one of messages, delivery_status, templates, account, users, flows, calls, platform',
        );
      }
    });

    it('accepts the body as written with a topic and an address, answers {id}, and keeps what it does not act on', async () => {
      // when the seed's body is sent with a real topic and address
      const token = 'webengage-token-kept-sealed';
      const payload = {
        ...seedBody,
        topic: 'users',
        address,
        configuration: {
          ...seedBody.configuration,
          webengageConfiguration: {
            webengageToken: token,
            webengageWebhookUrl: 'https://st.webengage.com/tracking/events',
          },
        },
      };
      const created = await register(payload);

      // then it answers 201 with the id alone, as Connectly does
      expect(created.statusCode).toBe(201);
      expect(created.body).toEqual({ id: expect.stringMatching(/^sub_/) });

      // and the subscription delivers by what Switchboard acts on
      const got = await service.request<Webhook>({
        method: 'GET',
        url: `/v1/businesses/${client.id}/webhooks/users`,
        headers: { 'x-api-key': client.apiKey.key },
      });
      expect(got.body).toEqual(
        expect.objectContaining({
          id: created.body.id,
          topic: 'users',
          address,
          state: 'active',
          configuration: {
            echo: true,
            channelTypes: ['sms'],
            filters: [{ field: 'campaign_name', expression: 'test-campaign-*' }],
            cloudEventsMode: 'structured',
            ordering: 'none',
            statusMonotonic: false,
          },
        }),
      );

      // and the rest is stored as given, the WebEngage token sealed
      const [row] = await service.query<{ provider_settings: Record<string, unknown> }>(
        'SELECT provider_settings FROM subscriptions WHERE id = $1',
        [created.body.id],
      );
      expect(row!.provider_settings).toEqual({
        connectly: {
          type: 'webhook_type_unspecified',
          webengageConfiguration: {
            webengageToken: expect.stringMatching(/^enc\.v1\./),
            webengageWebhookUrl: 'https://st.webengage.com/tracking/events',
          },
        },
      });
      expect(JSON.stringify(row)).not.toContain(token);

      // when it is registered again for the same topic, then it is replaced: 200, same id
      const again = await register({ ...payload, type: 'webhook_type_zendesk' });
      expect(again.statusCode).toBe(200);
      expect(again.body).toEqual({ id: created.body.id });
    });

    it('names every bad field of a Connectly body', async () => {
      const res = await register({
        topic: 'orders',
        address,
        type: 'Not A Type',
        configuration: { webengageConfiguration: { webengageToken: '' }, colour: 'red' },
      });
      expect(res.statusCode).toBe(400);
      expect(res.body.error.message).toContain('topic: must be one of messages');
      expect(res.body.error.message).toContain('type: must be a webhook type');
      expect(res.body.error.message).toContain(
        'configuration.webengageConfiguration.webengageToken',
      );
      expect(res.body.error.message).toContain('configuration: unknown field "colour"');
    });
  });

  it('replaces the subscription when one is created for a topic that has one: same id, new everything', async () => {
    // given a subscription to templates
    const first = await create({ topic: 'templates', address });
    expect(first.statusCode).toBe(201);

    // when another is created for the same topic
    const given = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    const second = await create({
      topic: 'templates',
      address: 'https://[::1]:8443/templates',
      configuration: { channelTypes: ['whatsapp'] },
      secret: given,
    });

    // then it answers 200, keeps the id, and takes the new address, configuration and secret
    expect(second.statusCode).toBe(200);
    expect(second.body).toEqual(
      expect.objectContaining({
        id: first.body.id,
        replaced: true,
        address: 'https://[::1]:8443/templates',
        state: 'active',
        configuration: {
          echo: false,
          channelTypes: ['whatsapp'],
          filters: [],
          cloudEventsMode: 'structured',
          ordering: 'none',
          statusMonotonic: false,
        },
        secret: expect.objectContaining({ value: given }),
      }),
    );
    expect(second.body.secrets.map((s) => s.id)).toEqual([second.body.secret.id]);
    expect(second.body.version).toBeGreaterThan(first.body.version);
    expect(second.body.createdAt).toBe(first.body.createdAt);
    const list = await service.request<WebhookList>({ method: 'GET', url: base, headers: key });
    expect(list.body.items.filter((w) => w.topic === 'templates')).toHaveLength(1);
  });

  it('accepts a public address and addresses the operator allowlisted', async () => {
    for (const [topic, url] of [
      ['account', 'https://93.184.215.14/hook'],
      ['users', 'https://localhost/hook'],
      ['flows', 'https://[::1]/hook'],
    ] as const) {
      const res = await create({ topic, address: url });
      expect({ url, status: res.statusCode }).toEqual({ url, status: 201 });
    }
  });

  it.each([
    ['http://127.0.0.1:8080/hook', 'address_invalid', 'address: must use https'],
    ['ftp://example.com/hook', 'address_invalid', 'address: must use https'],
    ['not a url', 'address_invalid', 'address: not an absolute URL'],
    [
      'https://user:pass@127.0.0.1/hook',
      'address_invalid',
      'address: must not carry credentials (user:password@); sign with the webhook secret instead',
    ],
    [
      'https://10.1.2.3/hook',
      'address_not_allowed',
      'address: "10.1.2.3" is a private address; only public addresses may receive webhooks unless the operator allowlists them',
    ],
    [
      'https://192.168.0.10/hook',
      'address_not_allowed',
      expect.stringContaining('private address'),
    ],
    [
      'https://169.254.169.254/latest',
      'address_not_allowed',
      expect.stringContaining('link-local address'),
    ],
    [
      'https://100.64.0.1/hook',
      'address_not_allowed',
      expect.stringContaining('carrier-grade NAT address'),
    ],
    [
      'https://[fd00::1]/hook',
      'address_not_allowed',
      expect.stringContaining('unique-local address'),
    ],
    [
      'https://[fe80::1]/hook',
      'address_not_allowed',
      expect.stringContaining('link-local address'),
    ],
    [
      'https://[::ffff:10.0.0.1]/hook',
      'address_not_allowed',
      expect.stringContaining('private address'),
    ],
    ['https://127.0.0.2/hook', 'address_not_allowed', expect.stringContaining('loopback address')],
    ['https://0.0.0.0/hook', 'address_not_allowed', expect.stringContaining('unspecified address')],
    [
      'https://no-such-host.invalid/hook',
      'address_unresolvable',
      expect.stringContaining('does not resolve'),
    ],
  ])('refuses the address %s (%s)', async (url, code, message) => {
    const res = await create({ topic: 'calls', address: url });
    expect(res.statusCode).toBe(400);
    expect(res.body).toEqual({ error: { code, message } });
  });

  it.each([
    [
      { topic: 'orders', address },
      'topic: must be one of messages, delivery_status, templates, account, users, flows, calls, platform',
    ],
    [
      { address },
      'topic: must be one of messages, delivery_status, templates, account, users, flows, calls, platform',
    ],
    [{ topic: 'messages' }, 'address: Invalid input: expected string, received undefined'],
    [{ topic: 'messages', address, secret: 'plain' }, 'secret: Expected a whsec_ secret'],
    [
      {
        topic: 'messages',
        address,
        configuration: { filters: [{ field: 'campaign_name', expression: '' }] },
      },
      'configuration.filters[0].expression: must not be empty',
    ],
    [
      {
        topic: 'messages',
        address,
        configuration: { filters: [{ field: 'campaign_name', expression: '[abc' }] },
      },
      expect.stringMatching(
        /^configuration\.filters\[0\]\.expression: "\[abc" is not a valid glob: Missing closing: "\]"/,
      ),
    ],
    [
      {
        topic: 'messages',
        address,
        configuration: { filters: [{ field: 'status', expression: 'a{b,c' }] },
      },
      expect.stringContaining('configuration.filters[0].expression: "a{b,c" is not a valid glob'),
    ],
    [
      {
        topic: 'messages',
        address,
        configuration: { filters: [{ field: 'status', expression: 'x'.repeat(257) }] },
      },
      'configuration.filters[0].expression: must be at most 256 characters',
    ],
    [
      // backtracked for minutes in delivery's former matcher (picomatch)
      {
        topic: 'messages',
        address,
        configuration: { filters: [{ field: 'campaign_name', expression: '*a'.repeat(50) + 'b' }] },
      },
      'configuration.filters[0].expression: must have at most 16 "*" wildcards (it has 50)',
    ],
    [
      {
        topic: 'messages',
        address,
        configuration: { filters: [{ field: 'campaign_name', expression: '!(draft)*' }] },
      },
      'configuration.filters[0].expression: "!(draft)*" is not a valid glob: negated groups "!(…)" are not supported; a leading "!" negates the whole pattern',
    ],
    [
      {
        topic: 'messages',
        address,
        configuration: { filters: Array(21).fill({ field: 'status', expression: 'read' }) },
      },
      'configuration.filters: must have at most 20 filters',
    ],
    [
      {
        topic: 'messages',
        address,
        configuration: { filters: [{ field: 'country', expression: '*' }] },
      },
      'configuration.filters[0].field: must be one of campaign_name, event_type, status, message_type, phone_number_id',
    ],
    [
      { topic: 'messages', address, configuration: { retry: { schedule: [] } } },
      'configuration.retry.schedule: must have at least one delay',
    ],
    [
      { topic: 'messages', address, configuration: { retry: { schedule: [5, 0] } } },
      'configuration.retry.schedule[1]: must be at least 1 second',
    ],
    [
      { topic: 'messages', address, configuration: { retry: { schedule: [1.5] } } },
      'configuration.retry.schedule[0]: must be whole seconds',
    ],
    [
      { topic: 'messages', address, configuration: { retry: { schedule: [90000] } } },
      'configuration.retry.schedule[0]: must be at most 86400 seconds (a day)',
    ],
    [
      { topic: 'messages', address, configuration: { retry: { schedule: Array(31).fill(5) } } },
      'configuration.retry.schedule: must have at most 30 delays',
    ],
    [
      { topic: 'messages', address, configuration: { retry: { schedule: Array(8).fill(86400) } } },
      'configuration.retry.schedule: the delays add up to 691200 s; a schedule must end within 604800 s (7 days)',
    ],
    [
      { topic: 'messages', address, configuration: { retry: { timeoutMs: 50 } } },
      'configuration.retry.timeoutMs: Too small: expected number to be >=100',
    ],
    [
      { topic: 'messages', address, configuration: { eventTypes: ['Message Received'] } },
      'configuration.eventTypes[0]: must be an event type such as "whatsapp.message.received" or "platform.campaign.*"',
    ],
    [
      { topic: 'messages', address, configuration: { environments: ['staging'] } },
      'configuration.environments[0]: Invalid option: expected one of "production"|"sandbox"',
    ],
    [
      { topic: 'messages', address, configuration: { echo: 'yes', retries: 3 } },
      'configuration.echo: Invalid input: expected boolean, received string; configuration: unknown field "retries"',
    ],
  ])('refuses %j', async (payload, message) => {
    const res = await create(payload);
    expect(res.statusCode).toBe(400);
    expect(res.body).toEqual({ error: { code: 'invalid_request', message } });
  });

  it('sends in CloudEvents binary mode when asked, and puts the mode on the config topic', async () => {
    // when a business subscribes in binary mode
    const created = await create({
      topic: 'flows',
      address,
      configuration: { cloudEventsMode: 'binary' },
    });

    // then it is registered (replacing the one an earlier test made), and a read shows the mode
    expect([200, 201]).toContain(created.statusCode);
    expect(created.body.configuration.cloudEventsMode).toBe('binary');
    const got = await service.request<Webhook>({
      method: 'GET',
      url: `${base}/flows`,
      headers: key,
    });
    expect(got.body.configuration.cloudEventsMode).toBe('binary');
    // and the subscription record delivery reads carries it (this version of it: the topic may
    // still hold the earlier one of the same subscription, not yet followed by this)
    const record = await eventually(async () => {
      const state = latestByKey(await service.readConfigTopic());
      const found = state.get(`subscription:${business.id}:flows`);
      return found?.kind === 'subscription' &&
        found.id === created.body.id &&
        found.version >= created.body.version
        ? found
        : undefined;
    });
    expect(record.configuration.cloudEventsMode).toBe('binary');

    // when the configuration is replaced without a mode, then it is structured again
    const patched = await service.request<Webhook>({
      method: 'PATCH',
      url: `${base}/flows`,
      headers: key,
      payload: { configuration: { echo: true } },
    });
    expect(patched.body.configuration.cloudEventsMode).toBe('structured');

    // and an unknown mode is refused with the field named and the modes listed
    const refused = await create({
      topic: 'flows',
      address,
      configuration: { cloudEventsMode: 'batch' },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toEqual({
      error: {
        code: 'invalid_request',
        message: 'configuration.cloudEventsMode: must be structured or binary',
      },
    });
  });

  it('orders by conversation and keeps statuses monotonic when asked, and puts both on the config topic', async () => {
    // when a business subscribes with both switches on
    const created = await create({
      topic: 'account',
      address,
      configuration: { ordering: 'conversation', statusMonotonic: true },
    });

    // then a read shows them
    expect([200, 201]).toContain(created.statusCode);
    expect(created.body.configuration).toMatchObject({
      ordering: 'conversation',
      statusMonotonic: true,
    });
    const got = await service.request<Webhook>({
      method: 'GET',
      url: `${base}/account`,
      headers: key,
    });
    expect(got.body.configuration).toMatchObject({
      ordering: 'conversation',
      statusMonotonic: true,
    });
    // and the subscription record delivery reads carries them (this version of it: the topic may
    // still hold an earlier one of the same subscription, not yet followed by this)
    const record = await eventually(async () => {
      const state = latestByKey(await service.readConfigTopic());
      const found = state.get(`subscription:${business.id}:account`);
      return found?.kind === 'subscription' &&
        found.id === created.body.id &&
        found.version >= created.body.version
        ? found
        : undefined;
    });
    expect(record.configuration).toMatchObject({
      ordering: 'conversation',
      statusMonotonic: true,
    });

    // when the configuration is replaced without them, then both are off again
    const patched = await service.request<Webhook>({
      method: 'PATCH',
      url: `${base}/account`,
      headers: key,
      payload: { configuration: { echo: false } },
    });
    expect(patched.body.configuration).toMatchObject({ ordering: 'none', statusMonotonic: false });

    // and an unknown ordering is refused with the field named and the choices listed
    const refused = await create({
      topic: 'account',
      address,
      configuration: { ordering: 'global', statusMonotonic: 1 },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toEqual({
      error: {
        code: 'invalid_request',
        message:
          'configuration.ordering: must be none or conversation; configuration.statusMonotonic: Invalid input: expected boolean, received number',
      },
    });
  });

  it('registers globs up to the limits: braces, ranges, classes, negation and 16 "*"', async () => {
    const filters = [
      { field: 'campaign_name', expression: '{spring,summer}-sale-{2025..2027}-*' },
      { field: 'status', expression: '!fail*' },
      { field: 'message_type', expression: '[a-z]?*' },
      { field: 'phone_number_id', expression: '*1'.repeat(16) },
    ];
    const res = await create({
      topic: 'delivery_status',
      address,
      configuration: { filters, eventTypes: ['whatsapp.*.*'] },
    });
    expect(res.statusCode).toBe(201);
    expect(res.body.configuration).toEqual(expect.objectContaining({ filters }));
  });

  it('names every bad field of a request at once', async () => {
    const res = await create({
      topic: 'nope',
      address: 42,
      configuration: { filters: [{ field: 'status', expression: '[' }], retry: { schedule: [0] } },
    });
    expect(res.statusCode).toBe(400);
    const fields = res.body.error.message.split('; ').map((part) => part.split(':')[0]);
    expect(fields).toEqual([
      'topic',
      'address',
      'configuration.filters[0].expression',
      'configuration.retry.schedule[0]',
    ]);
  });

  it('validates patches, paths and rotations too', async () => {
    await create({ topic: 'platform', address });
    const cases: [string, string, unknown, string, string][] = [
      [
        'PATCH',
        `${base}/platform`,
        {},
        'invalid_request',
        '(body): give at least one of address, configuration, state',
      ],
      [
        'PATCH',
        `${base}/platform`,
        { state: 'failing' },
        'invalid_request',
        'state: must be active or disabled',
      ],
      [
        'PATCH',
        `${base}/platform`,
        { configuration: { filters: [{ field: 'status', expression: 'a*'.repeat(100) }] } },
        'invalid_request',
        'configuration.filters[0].expression: must have at most 16 "*" wildcards (it has 100)',
      ],
      [
        'PATCH',
        `${base}/platform`,
        { address: 'https://10.0.0.1/' },
        'address_not_allowed',
        expect.stringContaining('private') as unknown as string,
      ],
      [
        'GET',
        `${base}/orders`,
        undefined,
        'invalid_request',
        'topic: must be one of messages, delivery_status, templates, account, users, flows, calls, platform',
      ],
      [
        'POST',
        `${base}/platform/rotate-secret`,
        { secret: 'whsec_' },
        'invalid_request',
        'secret: Expected a whsec_ secret',
      ],
      [
        'POST',
        `${base}/platform/rotate-secret`,
        { graceSeconds: 1.5 },
        'invalid_request',
        'graceSeconds: Invalid input: expected int, received number',
      ],
    ];
    for (const [method, url, payload, code, message] of cases) {
      const res = await service.request<ErrorBody>({
        method: method as 'PATCH',
        url,
        headers: key,
        payload,
      });
      expect({ method, url, payload, status: res.statusCode, body: res.body }).toEqual({
        method,
        url,
        payload,
        status: 400,
        body: { error: { code, message } },
      });
    }
    const missing = await service.request({
      method: 'PATCH',
      url: `${base}/calls`,
      headers: key,
      payload: { state: 'active' },
    });
    expect(missing.statusCode).toBe(404);
  });
});

describe('webhook addresses with plain HTTP allowed', () => {
  const service = new SubscriptionsUnderTest();

  beforeAll(() => service.start({ ALLOW_HTTP_ADDRESSES: 'true', ADDRESS_ALLOWLIST: '' }));
  afterAll(() => service.stop());

  it('accepts http:, and refuses loopback once the allowlist is empty', async () => {
    const business = await service.createBusiness({});
    const post = (address: string) =>
      service.request<ErrorBody>({
        method: 'POST',
        url: `/v1/businesses/${business.id}/webhooks`,
        headers: service.operator(),
        payload: { topic: 'messages', address },
      });
    expect((await post('http://93.184.215.14/hook')).statusCode).toBe(201);
    const loopback = await post('http://127.0.0.1/hook');
    expect(loopback.statusCode).toBe(400);
    expect(loopback.body.error.code).toBe('address_not_allowed');
    const ftp = await post('ftp://93.184.215.14/hook');
    expect(ftp.body.error.message).toBe('address: must use https or http');
  });
});
