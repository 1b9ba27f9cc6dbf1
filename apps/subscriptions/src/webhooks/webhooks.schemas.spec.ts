import { parseInput } from '../common/validation';
import {
  CreateWebhookRequest,
  globProblem,
  MAX_RETRY_TOTAL_SECONDS,
  scheduleProblem,
  UpdateWebhookRequest,
} from './webhooks.schemas';

const address = 'https://hooks.example.com/x';

function problems(payload: unknown): string {
  try {
    parseInput(CreateWebhookRequest, payload);
  } catch (err) {
    return (err as Error).message;
  }
  return '';
}

describe(globProblem.name, () => {
  it.each([
    'spring-sale-*',
    '*',
    '**',
    'a?c',
    '{a,b}-*',
    '[abc]*',
    '[!x]*',
    'campaign-{01..12}',
    '!draft-*',
    '@(a|b)*',
    'foo/**/bar',
    'exact-name',
    'Sale (spring)',
    'a(b',
    '*a'.repeat(16),
  ])('accepts %s', (glob) => {
    expect(globProblem(glob)).toBeNull();
  });

  it.each([
    ['', 'must not be empty'],
    ['   ', 'must not be empty'],
    ['x'.repeat(257), 'must be at most 256 characters'],
    ['a\nb', 'must not contain control characters'],
    ['[abc', '"[abc" is not a valid glob: Missing closing: "]"'],
    ['abc]', '"abc]" is not a valid glob: Missing opening: "["'],
    ['a{b,c', '"a{b,c" is not a valid glob: Missing closing: "}"'],
    ['@(a|b', '"@(a|b" is not a valid glob: Missing closing: ")"'],
    ['[z-a]', '"[z-a]" is not a valid glob: the range "z-a" is reversed'],
    ['a\\', '"a\\" is not a valid glob: it ends with an unfinished escape "\\"'],
    ['[/]', '"[/]" is not a valid glob: it can match nothing'],
    ['!(draft)*', '"!(draft)*" is not a valid glob: negated groups "!(…)" are not supported'],
    // backtracked for minutes in picomatch: now far too many wildcards to register
    ['*a'.repeat(50) + 'b', 'must have at most 16 "*" wildcards (it has 50)'],
    ['a*'.repeat(100), 'must have at most 16 "*" wildcards (it has 100)'],
    ['*a'.repeat(17), 'must have at most 16 "*" wildcards (it has 17)'],
    ['{1..100}', 'a range must list at most 64 values ("{1..100}" lists 100)'],
    ['{1..64}'.repeat(3), 'is too complex (more than 256 character tests'],
    ['*(ab|a)'.repeat(16), 'is too complex (its braces, ranges and groups would cost'],
    ['{'.repeat(9) + 'a' + '}'.repeat(9), 'must not nest braces or groups more than 8 deep'],
  ])('refuses %j', (glob, message) => {
    expect(globProblem(glob)).toEqual(expect.stringContaining(message));
  });

  it('accepts exactly 256 characters', () => {
    expect(globProblem('x'.repeat(256))).toBeNull();
  });
});

describe(scheduleProblem.name, () => {
  it('accepts the platform default schedule (about 3.5 days)', () => {
    const defaults = [5, 30, 120, 600, 1800, 3600, 10800, 21600, 43200, 86400, 86400, 86400];
    expect(scheduleProblem(defaults)).toBeNull();
  });

  it('accepts a schedule ending exactly at the 7-day limit and refuses one second more', () => {
    expect(scheduleProblem(Array(7).fill(86400))).toBeNull();
    expect(scheduleProblem([...Array(7).fill(86400), 1])).toBe(
      `the delays add up to ${MAX_RETRY_TOTAL_SECONDS + 1} s; a schedule must end within 604800 s (7 days)`,
    );
  });
});

describe('CreateWebhookRequest', () => {
  it('fills in the configuration defaults', () => {
    expect(parseInput(CreateWebhookRequest, { topic: 'messages', address })).toEqual({
      topic: 'messages',
      address,
      configuration: {
        echo: false,
        channelTypes: [],
        filters: [],
        cloudEventsMode: 'structured',
        ordering: 'none',
        statusMonotonic: false,
      },
    });
    // and a configuration that names no mode is structured too, unordered, statuses unchecked
    expect(
      parseInput(CreateWebhookRequest, { topic: 'messages', address, configuration: {} })
        .configuration.cloudEventsMode,
    ).toBe('structured');
  });

  it('keeps a full configuration as given', () => {
    const configuration = {
      echo: true,
      channelTypes: ['whatsapp'],
      filters: [
        { field: 'campaign_name', expression: 'test-campaign-*' },
        { field: 'phone_number_id', expression: '1065*' },
      ],
      eventTypes: ['whatsapp.message.received', 'platform.campaign.*'],
      environments: ['production', 'sandbox'],
      retry: { schedule: [5, 30, 120], timeoutMs: 10_000 },
      cloudEventsMode: 'binary',
      ordering: 'conversation',
      statusMonotonic: true,
    };
    expect(parseInput(CreateWebhookRequest, { topic: 'platform', address, configuration })).toEqual(
      {
        topic: 'platform',
        address,
        configuration,
      },
    );
  });

  it.each([
    [{ retry: { schedule: [] } }, 'configuration.retry.schedule: must have at least one delay'],
    [{ retry: { schedule: [0] } }, 'configuration.retry.schedule[0]: must be at least 1 second'],
    [{ retry: { schedule: [-5] } }, 'configuration.retry.schedule[0]: must be at least 1 second'],
    [{ retry: { schedule: [2.5] } }, 'configuration.retry.schedule[0]: must be whole seconds'],
    [
      { retry: { schedule: ['5'] } },
      'configuration.retry.schedule[0]: Invalid input: expected number, received string',
    ],
    [
      { retry: { schedule: [86401] } },
      'configuration.retry.schedule[0]: must be at most 86400 seconds (a day)',
    ],
    [
      { retry: { schedule: Array(31).fill(1) } },
      'configuration.retry.schedule: must have at most 30 delays',
    ],
    [
      { retry: { schedule: 5 } },
      'configuration.retry.schedule: Invalid input: expected array, received number',
    ],
    [
      { retry: { timeoutMs: 60_001 } },
      'configuration.retry.timeoutMs: Too big: expected number to be <=60000',
    ],
    [{ retry: { attempts: 3 } }, 'configuration.retry: unknown field "attempts"'],
    [{ eventTypes: [] }, 'configuration.eventTypes: Too small: expected array to have >=1 items'],
    [
      { environments: [] },
      'configuration.environments: Too small: expected array to have >=1 items',
    ],
    [
      { filters: [{ field: 'status' }] },
      'configuration.filters[0].expression: Invalid input: expected string, received undefined',
    ],
    [
      { filters: [{ field: 'status', expression: '*', extra: 1 }] },
      'configuration.filters[0]: unknown field "extra"',
    ],
    [
      { filters: [{ field: 'campaign_name', expression: '*a'.repeat(50) + 'b' }] },
      'configuration.filters[0].expression: must have at most 16 "*" wildcards (it has 50)',
    ],
    [
      { filters: Array(21).fill({ field: 'status', expression: 'read' }) },
      'configuration.filters: must have at most 20 filters',
    ],
    [
      { eventTypes: Array(101).fill('whatsapp.message.received') },
      'configuration.eventTypes: must list at most 100 event types',
    ],
    [
      { eventTypes: ['whatsapp' + '.*'.repeat(17)] },
      'configuration.eventTypes[0]: must have at most 16 "*" wildcards',
    ],
    [{ cloudEventsMode: 'batched' }, 'configuration.cloudEventsMode: must be structured or binary'],
    [{ cloudEventsMode: 'Binary' }, 'configuration.cloudEventsMode: must be structured or binary'],
    [{ cloudEventsMode: null }, 'configuration.cloudEventsMode: must be structured or binary'],
    [{ ordering: 'global' }, 'configuration.ordering: must be none or conversation'],
    [{ ordering: null }, 'configuration.ordering: must be none or conversation'],
    [
      { statusMonotonic: 'yes' },
      'configuration.statusMonotonic: Invalid input: expected boolean, received string',
    ],
  ])('refuses the configuration %j', (configuration, message) => {
    expect(problems({ topic: 'messages', address, configuration })).toBe(message);
  });

  it('refuses a body that is not an object', () => {
    expect(problems('messages')).toBe('(body): Invalid input: expected object, received string');
    expect(problems([])).toBe('(body): Invalid input: expected object, received array');
  });
});

describe('UpdateWebhookRequest', () => {
  it('needs at least one change and accepts only active or disabled as state', () => {
    expect(() => parseInput(UpdateWebhookRequest, {})).toThrow(
      '(body): give at least one of address, configuration, state',
    );
    expect(() => parseInput(UpdateWebhookRequest, { state: 'failing' })).toThrow(
      'state: must be active or disabled',
    );
    expect(parseInput(UpdateWebhookRequest, { state: 'disabled' })).toEqual({ state: 'disabled' });
  });
});
