import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

/**
 * A client connection written byte by byte by the test, for what an HTTP client library would not
 * do: stop half way through the headers or the body, or send nothing at all.
 */
export class RawConnection {
  readonly socket: Socket;
  private received = '';
  private closedAt: number | undefined;
  private readonly closedPromise: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => (this.received += chunk.toString('latin1')));
    // The server has closed its side: close ours, as an HTTP client does.
    socket.on('end', () => socket.destroy());
    this.closedPromise = new Promise((resolve) =>
      socket.once('close', () => {
        this.closedAt = performance.now();
        resolve();
      }),
    );
  }

  static async open(port: number): Promise<RawConnection> {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new RawConnection(socket);
  }

  /** Everything the server has sent so far. */
  get answer(): string {
    return this.received;
  }

  /** The status code of the first answer, once one has come. */
  get status(): number | undefined {
    const match = /^HTTP\/1\.1 (\d{3})/.exec(this.received);
    return match ? Number(match[1]) : undefined;
  }

  get isClosed(): boolean {
    return this.closedAt !== undefined;
  }

  write(data: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(data);
  }

  /** Resolves when the server has closed the connection, or rejects after `timeoutMs`. */
  async closed(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`connection still open after ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.closedPromise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}
