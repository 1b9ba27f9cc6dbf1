import { HTTP, type CloudEventV1 } from 'cloudevents';
import { cloudEvent } from '../../test/builders';
import { encodeHeaderValue, toBinaryMessage, toHttpMessage } from './cloud-events-binding';

/** What a receiver built on the CloudEvents SDK reads from a request. */
function decodeWithSdk(message: { headers: Record<string, string>; body: string }) {
  const decoded = HTTP.toEvent({ headers: message.headers, body: message.body });
  if (Array.isArray(decoded)) throw new Error('one event expected');
  // The SDK's event serialises to its attributes and data (toJSON).
  return JSON.parse(JSON.stringify(decoded)) as CloudEventV1<unknown>;
}

/** Printable US-ASCII only: what RFC 7230 allows in a header value, without spaces. */
const HEADER_SAFE = /^[\x21-\x7e]*$/;

describe(toHttpMessage.name, () => {
  it('sends the event as it was produced in structured mode, the default', () => {
    // given a stored event
    const body = JSON.stringify(cloudEvent());

    // when put in structured mode, or in no mode at all (a record from before modes existed)
    for (const mode of ['structured', undefined] as const) {
      const message = toHttpMessage(body, mode);

      // then the body is the CloudEvent byte for byte, with the CloudEvents media type
      expect(message.body).toBe(body);
      expect(message.headers).toEqual({ 'content-type': 'application/cloudevents+json' });
    }
  });

  it('sends data as the body and every attribute as a ce- header in binary mode', () => {
    // given a stored event with every attribute Switchboard sets
    const event = cloudEvent({ channel: 'whatsapp' });

    // when put in binary mode
    const message = toHttpMessage(JSON.stringify(event), 'binary');

    // then the body is the data alone, as JSON
    expect(JSON.parse(message.body)).toEqual(event.data);
    // and datacontenttype is Content-Type itself, never a ce- header
    expect(message.headers['content-type']).toBe('application/json');
    expect(message.headers).not.toHaveProperty('ce-datacontenttype');
    // and every other attribute has its header
    expect(message.headers).toEqual({
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': event.id,
      'ce-source': event.source,
      'ce-type': event.type,
      'ce-time': event.time,
      'ce-subject': event.subject,
      'ce-businessid': event.businessid,
      'ce-topic': event.topic,
      'ce-environment': event.environment,
      'ce-provider': event.provider,
      'ce-rawid': event.rawid,
      'ce-channel': 'whatsapp',
    });
    // and a receiver using the CloudEvents SDK reads back the same event
    const decoded = decodeWithSdk(message);
    expect({ ...decoded, time: new Date(decoded.time!).toISOString() }).toEqual({
      ...event,
      time: new Date(event.time).toISOString(),
    });
  });

  it('percent-encodes header values as the HTTP binding says, and only what it says', () => {
    // given an event whose attributes hold spaces, quotes, percent signs and non-ASCII text
    const event = cloudEvent({
      subject: 'Euro € 😀',
      source: 'switchboard/meta/"quoted" 100%',
      // every printable ASCII character but the double quote and percent stays as it is
      rawid: "!#$&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~",
    });

    // when put in binary mode
    const message = toHttpMessage(JSON.stringify(event), 'binary');

    // then the spec's own example encodes as it shows
    expect(message.headers['ce-subject']).toBe('Euro%20%E2%82%AC%20%F0%9F%98%80');
    // and space, double quote and percent are encoded, upper-case hex
    expect(message.headers['ce-source']).toBe('switchboard/meta/%22quoted%22%20100%25');
    // and the rest of printable ASCII is left alone
    expect(message.headers['ce-rawid']).toBe(event.rawid);
    // and every value is printable ASCII that one round of percent-decoding reads back
    for (const [name, value] of Object.entries(message.headers)) {
      expect([name, HEADER_SAFE.test(value)]).toEqual([name, true]);
    }
    const decoded = decodeWithSdk(message);
    expect(decodeURIComponent(decoded.subject!)).toBe(event.subject);
    expect(decodeURIComponent(decoded.source)).toBe(event.source);
  });

  it('encodes each byte of a character outside ASCII, control characters included', () => {
    expect(encodeHeaderValue('é')).toBe('%C3%A9');
    expect(encodeHeaderValue('a\tb\r\n')).toBe('a%09b%0D%0A');
    expect(encodeHeaderValue('\u007f')).toBe('%7F');
    expect(encodeHeaderValue('')).toBe('');
  });

  it('carries extension attributes it does not know, as their canonical strings', () => {
    // given an event from a newer producer with extensions of every attribute type
    const event = {
      ...cloudEvent(),
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      sequence: 42,
      replayed: false,
      // not attributes: an object, a fraction, null, and a name CloudEvents does not allow
      nested: { a: 1 },
      ratio: 0.5,
      nothing: null,
      Upper_Case: 'x',
    };

    // when put in binary mode
    const message = toBinaryMessage(JSON.stringify(event))!;

    // then the attributes have headers and what is not an attribute has none
    expect(message.headers).toMatchObject({
      'ce-traceparent': event.traceparent,
      'ce-sequence': '42',
      'ce-replayed': 'false',
    });
    expect(
      Object.keys(message.headers).filter((h) => /nested|ratio|nothing|upper/i.test(h)),
    ).toEqual([]);
  });

  it('sends an event that is not a JSON object as it is, structured', () => {
    for (const body of ['not json', '[1,2]', 'null']) {
      expect(toBinaryMessage(body)).toBeNull();
      expect(toHttpMessage(body, 'binary')).toEqual({
        body,
        headers: { 'content-type': 'application/cloudevents+json' },
      });
    }
  });
});
