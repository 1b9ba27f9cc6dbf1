import { connect, type Socket } from 'node:net';
import { readFixture } from '@switchboard/fixtures';
import {
  deleteTopicsWithPrefix,
  type ServiceProcess,
  testKafka,
  uniqueName,
} from '@switchboard/testing';
import { postSignedMeta, startIngressProcess } from '../../test/ingress-process';
import { source } from '../../test/signing';

/** The bars: what 1,000 slow uploads may cost the ingress, and how fast it still answers. */
const residentLimitBytes = 300 * 1024 * 1024;
const answerLimitMs = 100;

const slowConnections = 1_000;
/** Each slow upload announces the largest body a route takes (the default limit) … */
const announcedBytes = 4 * 1024 * 1024;
/** … sends this much at once, as fast as the ingress reads it … */
const firstChunk = Buffer.alloc(512 * 1024, 0x61);
/** … and then trickles the rest. */
const trickle = Buffer.alloc(1024, 0x61);

interface SlowUpload {
  socket: Socket;
  /** The status line the ingress answered with, if it has. */
  answer: string | undefined;
}

describe('ingress under 1,000 slow uploads (built ingress as a process, real Kafka)', () => {
  const prefix = `${uniqueName('ingress-slow')}.`;
  const kafka = testKafka();
  const meta = source({ provider: 'meta' });
  const body = readFixture('meta/text-message.json');
  let ingress: ServiceProcess;
  const uploads: SlowUpload[] = [];

  beforeAll(async () => {
    ingress = await startIngressProcess(prefix, [meta]);
  });

  afterAll(async () => {
    for (const upload of uploads) upload.socket.destroy();
    await ingress?.stop();
    await deleteTopicsWithPrefix(kafka, prefix);
  });

  function signedWebhook() {
    return postSignedMeta(ingress.url, meta, body);
  }

  /** Opens one connection that announces a large signed-looking body and sends it slowly. */
  function startSlowUpload(): Promise<SlowUpload> {
    return new Promise((resolve) => {
      const socket = connect(ingress.port, '127.0.0.1');
      const upload: SlowUpload = { socket, answer: undefined };
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        upload.answer ??= chunk.toString('latin1').split('\r\n', 1)[0];
      });
      socket.on('connect', () => {
        socket.write(
          `POST /webhooks/meta/${meta.id} HTTP/1.1\r\n` +
            'host: 127.0.0.1\r\n' +
            'content-type: application/json\r\n' +
            `content-length: ${announcedBytes}\r\n` +
            `x-hub-signature-256: sha256=${'0'.repeat(64)}\r\n\r\n`,
        );
        socket.write(firstChunk);
        resolve(upload);
      });
    });
  }

  it('stays under 300 MB resident and answers a signed webhook in under 100 ms', async () => {
    // given the ingress's resident memory sampled throughout
    let peakBytes = ingress.residentBytes();
    const baselineBytes = peakBytes;
    const sampler = setInterval(() => {
      peakBytes = Math.max(peakBytes, ingress.residentBytes());
    }, 50);

    try {
      // when 1,000 connections each start a 4 MiB upload, send 512 KiB of it and trickle the rest
      for (let i = 0; i < slowConnections; i += 100) {
        const batch = await Promise.all(Array.from({ length: 100 }, () => startSlowUpload()));
        uploads.push(...batch);
      }
      const trickling = setInterval(() => {
        for (const upload of uploads) {
          if (!upload.socket.destroyed) upload.socket.write(trickle);
        }
      }, 250);
      try {
        await new Promise((resolve) => setTimeout(resolve, 3_000));

        // and signed webhooks arrive meanwhile, one at a time
        const answers: { status: number; ms: number }[] = [];
        for (let i = 0; i < 5; i++) answers.push(await signedWebhook());
        await new Promise((resolve) => setTimeout(resolve, 1_000));

        // then each is stored and answered in under 100 ms
        const slowAnswers = uploads.map((u) => u.answer ?? 'none');
        const summary = {
          baselineMiB: mib(baselineBytes),
          peakMiB: mib(peakBytes),
          signedWebhookMs: answers.map((a) => Math.round(a.ms)),
          slowUploadAnswers: countBy(slowAnswers),
        };
        process.stdout.write(`slow uploads: ${JSON.stringify(summary)}\n`);
        expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
        for (const answer of answers) expect(answer.ms).toBeLessThan(answerLimitMs);

        // and the ingress never held 300 MB
        expect(peakBytes).toBeLessThan(residentLimitBytes);
      } finally {
        clearInterval(trickling);
      }
    } finally {
      clearInterval(sampler);
    }
  });
});

function mib(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
