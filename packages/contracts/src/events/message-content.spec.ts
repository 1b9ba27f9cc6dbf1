import { EditedContent, MessageContent, messageContentTypes } from './message-content';

const media = {
  mediaId: '1479537139650973',
  mimeType: 'image/jpeg',
  sha256: 'u6Ynh3tMUOwbXDbx9cYAR7Tn9OB4A1nfVcnBEeD6wls=',
  caption: null,
  url: null,
};

/** One valid content per type. */
const contents: Record<string, Record<string, unknown>> = {
  text: { type: 'text', body: 'Hello' },
  image: { type: 'image', ...media },
  audio: { type: 'audio', ...media, mimeType: 'audio/ogg; codecs=opus', voice: true },
  video: { type: 'video', ...media },
  document: { type: 'document', ...media, filename: 'invoice-0042.pdf' },
  sticker: { type: 'sticker', ...media, animated: false },
  location: {
    type: 'location',
    latitude: 37.44,
    longitude: -122.16,
    name: null,
    address: null,
    url: null,
  },
  contacts: { type: 'contacts', contacts: [{ name: { formatted_name: 'Barbara J. Johnson' } }] },
  interactive: {
    type: 'interactive',
    reply: {
      type: 'nfm_reply',
      name: 'flow',
      body: 'Sent',
      responseJson: '{"flow_token":',
      response: null,
    },
  },
  button: { type: 'button', payload: 'STOP_PROMOTIONS', text: 'Stop promotions' },
  reaction: { type: 'reaction', messageId: 'wamid.1', emoji: null, removed: true },
  order: {
    type: 'order',
    catalogId: '194836987003835',
    text: null,
    productItems: [
      { productRetailerId: 'di9ozbzfi4', quantity: 2, itemPrice: 30.5, currency: 'USD' },
    ],
  },
  system: {
    type: 'system',
    systemType: 'user_changed_number',
    body: 'User A changed number',
    waId: '16505559876',
    newWaId: null,
  },
  unsupported: { type: 'unsupported' },
  request_welcome: { type: 'request_welcome' },
  unrecognized: { type: 'unrecognized', providerType: 'poll', value: { question: 'Lunch?' } },
  edit: {
    type: 'edit',
    originalMessageId: 'wamid.1',
    message: { type: 'text', body: 'Hello again' },
  },
  revoke: { type: 'revoke', originalMessageId: 'wamid.1' },
};

describe('MessageContent', () => {
  it('has one valid example per content type in this test', () => {
    expect(Object.keys(contents).sort()).toEqual([...messageContentTypes].sort());
  });

  it.each(Object.entries(contents))('accepts %s content', (_type, content) => {
    expect(MessageContent.safeParse(content).success).toBe(true);
  });

  it.each([
    ['text without a body', { type: 'text' }],
    ['a location without coordinates', { ...contents.location, latitude: null }],
    ['a reaction without removed', { type: 'reaction', messageId: 'wamid.1', emoji: '👍' }],
    ['an interactive reply of no known kind', { type: 'interactive', reply: { type: 'poll' } }],
    ['an edit whose new content is an edit', { ...contents.edit, message: contents.edit }],
    ['an unknown type', { type: 'hologram' }],
  ])('refuses %s', (_label, content) => {
    expect(MessageContent.safeParse(content).success).toBe(false);
  });

  it('lets an edit carry any content but an edit or a revoke', () => {
    expect(EditedContent.options.map((option) => option.shape.type.value)).toEqual(
      messageContentTypes.filter((type) => type !== 'edit' && type !== 'revoke'),
    );
  });
});
