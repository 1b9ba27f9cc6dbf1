import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { Parser } from '@asyncapi/parser';

import { asyncApiDocument } from './asyncapi';
import { contractFiles } from './contract-files';
import { jsonSchemaFileName, namedSchemaNames } from './json-schemas';
import { TopicCatalog } from './topics';

const root = path.join(__dirname, '..');
const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  version: string;
  files: string[];
};
const regenerate = 'npm run generate -w packages/contracts';

describe('committed contract files', () => {
  const files = contractFiles(packageJson.version);

  it.each([...files.keys()])('%s is what the catalog generates', (file) => {
    const committed = path.join(root, file);
    if (!existsSync(committed)) throw new Error(`${file} is missing: run \`${regenerate}\``);
    const text = readFileSync(committed, 'utf8');
    if (text !== files.get(file)) throw new Error(`${file} is stale: run \`${regenerate}\``);
  });

  it('has no schema file the catalog no longer names', () => {
    const expected = new Set(namedSchemaNames.map(jsonSchemaFileName));
    const extra = readdirSync(path.join(root, 'schemas')).filter((name) => !expected.has(name));
    expect(extra).toEqual([]);
  });
});

describe('package version', () => {
  it('has the topics’ major version as its major version, and each name ends in it', () => {
    const majors = new Set(TopicCatalog.map((topic) => topic.version));
    expect(majors.size).toBe(1);
    const [topicMajor] = [...majors];
    expect(Number(packageJson.version.split('.')[0])).toBe(topicMajor);
    for (const topic of TopicCatalog) expect(topic.name.endsWith(`.v${topic.version}`)).toBe(true);
  });
});

describe('AsyncAPI document', () => {
  const document = asyncApiDocument(packageJson.version);
  let result: Awaited<ReturnType<Parser['parse']>>;
  beforeAll(async () => {
    result = await new Parser().parse(JSON.stringify(document));
  });

  it('is a valid AsyncAPI 3 document for @asyncapi/parser', () => {
    const { document: parsed, diagnostics } = result;
    const errors = diagnostics.filter((d) => d.severity === 0);
    expect(errors.map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(parsed).toBeDefined();
    const addresses = parsed!
      .channels()
      .all()
      .map((channel) => channel.address());
    expect(addresses.sort()).toEqual(TopicCatalog.map((topic) => topic.name).sort());
  });

  it('describes every topic: key, partitions, retention, size limit, headers, payloads', () => {
    const { document: parsed } = result;
    for (const topic of TopicCatalog) {
      const channel = parsed!
        .channels()
        .all()
        .find((c) => c.address() === topic.name)!;
      const kafka = channel.bindings().get('kafka')!.value() as Record<string, unknown>;
      expect(kafka.partitions).toBe(topic.partitions);
      expect(kafka.topicConfiguration).toEqual({
        'cleanup.policy': [topic.cleanupPolicy],
        'retention.ms': topic.retentionMs ?? -1,
        'max.message.bytes': topic.maxMessageBytes,
      });
      const messages = channel.messages().all();
      expect(messages.length).toBeGreaterThan(0);
      for (const message of messages) {
        expect(message.hasPayload()).toBe(true);
        const key = message.bindings().get('kafka')!.value() as { key: { description: string } };
        expect(key.key.description.length).toBeGreaterThan(0);
        const headerNames = Object.keys(message.headers()?.properties() ?? {});
        expect(headerNames).toEqual(expect.arrayContaining(Object.keys(topic.headers ?? {})));
      }
    }
  });

  it('has one message per canonical event type on the messages topic', () => {
    const { document: parsed } = result;
    const channel = parsed!
      .channels()
      .all()
      .find((c) => c.address() === 'switchboard.messages.v1')!;
    const names = channel
      .messages()
      .all()
      .map((m) => m.name());
    expect(names).toEqual(
      expect.arrayContaining(['MessageReceivedEvent', 'MessageEchoedEvent', 'WebhookTestEvent']),
    );
    expect(names).not.toContain('MessageStatusUpdatedEvent');
  });
});

describe('npm pack', () => {
  it('packs the built code, types, JSON Schemas, AsyncAPI document and protos, and no sources', () => {
    if (!existsSync(path.join(root, 'dist', 'index.js'))) {
      throw new Error('dist/ is missing: run `npm run build -w packages/contracts` first');
    }
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: root,
      encoding: 'utf8',
    });
    const [pack] = JSON.parse(out) as { name: string; files: { path: string }[] }[];
    const packed = pack!.files.map((f) => f.path);
    expect(pack!.name).toBe('@switchboard/contracts');
    expect(packed).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'dist/index.js',
        'dist/index.d.ts',
        'asyncapi.json',
        'proto/switchboard/admin/v1/admin.proto',
        ...namedSchemaNames.map((name) => `schemas/${jsonSchemaFileName(name)}`),
      ]),
    );
    expect(packed.filter((p) => p.startsWith('src/') || /\.spec\.(ts|js)$/.test(p))).toEqual([]);
  });
});
