import { mapFixture } from '../../test/mapping';
import { messageIdOf, partitionKeyOf } from './event-keys';

describe(messageIdOf.name, () => {
  it.each([
    ['meta/text-message.json', 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA='],
    ['meta/status-failed.json', 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJGRkVFRERDQ0JCQUE5OTg4NzcA'],
    ['meta/smb-message-echoes.json', 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI0NEI1QzZEN0U4RjkwQUIxMkMA'],
    ['onprem/status-deleted.json', 'gBGGFlA5FpafAglEoPgpV8fYrLA'],
    ['connectly/message-text.json', null],
    ['meta/template-status-update.json', null],
    ['standard/conversation-assigned.json', null],
  ])('gives %s the message id %j', (path, expected) => {
    // given
    const [event] = mapFixture(path);

    // then
    expect(event && messageIdOf(event)).toBe(expected);
  });
});

describe(partitionKeyOf.name, () => {
  it('keys a conversation by phone number id and contact', () => {
    const [event] = mapFixture('meta/text-message.json');

    expect(event && partitionKeyOf(event)).toBe('106540352242922:16505551234');
  });

  it('keys an entity event by its entity id', () => {
    const [event] = mapFixture('meta/template-status-update.json');

    expect(event && partitionKeyOf(event)).toBe('806312974732579');
  });

  it('falls back to the event id when there is no subject', () => {
    const [event] = mapFixture('cubeconnect/webhook-test.json');

    expect(event?.subject).toBeUndefined();
    expect(event && partitionKeyOf(event)).toBe(event?.id);
  });
});
