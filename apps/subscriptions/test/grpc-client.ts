import { join, dirname } from 'node:path';
import {
  type Client,
  credentials,
  type GrpcObject,
  loadPackageDefinition,
  Metadata,
  type ServiceClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { loadAdminProto } from '../src/grpc/grpc.options';

type Unary = (
  request: unknown,
  metadata: Metadata,
  callback: (err: ServiceError | null, response: unknown) => void,
) => void;

function lookup(root: GrpcObject, name: string): ServiceClientConstructor {
  let node: unknown = root;
  for (const part of name.split('.')) node = (node as Record<string, unknown>)[part];
  return node as ServiceClientConstructor;
}

/** A plain @grpc/grpc-js client of the admin API, as any other gRPC caller would be. */
export class AdminGrpcClient {
  private readonly clients: Record<string, Client> = {};
  private readonly root: GrpcObject;

  constructor(private readonly address: string) {
    this.root = loadPackageDefinition(loadAdminProto());
    for (const service of [
      'Businesses',
      'Sources',
      'Webhooks',
      'Deliveries',
      'DeadLetters',
      'Events',
      'DataKeys',
    ]) {
      const Ctor = lookup(this.root, `switchboard.admin.v1.${service}`);
      this.clients[service] = new Ctor(address, credentials.createInsecure());
    }
    this.clients.Health = new (lookup(this.root, 'grpc.health.v1.Health'))(
      address,
      credentials.createInsecure(),
    );
  }

  /** Calls one unary method with the given metadata (`authorization`, `x-api-key`). */
  call<T = Record<string, unknown>>(
    service:
      | 'Businesses'
      | 'Sources'
      | 'Webhooks'
      | 'Deliveries'
      | 'DeadLetters'
      | 'Events'
      | 'DataKeys'
      | 'Health',
    method: string,
    request: unknown,
    auth: Record<string, string> = {},
  ): Promise<T> {
    const client = this.clients[service] as unknown as Record<string, Unary>;
    const fn = client[method];
    if (!fn) throw new Error(`No method ${service}.${method}`);
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(auth)) metadata.set(key, value);
    return new Promise<T>((resolve, reject) => {
      fn.call(client, request, metadata, (err, response) =>
        err ? reject(err) : resolve(response as T),
      );
    });
  }

  /** The services server reflection lists. */
  async reflectedServices(): Promise<string[]> {
    const file = join(
      dirname(require.resolve('@grpc/reflection')),
      '../proto/grpc/reflection/v1/reflection.proto',
    );
    const pkg = loadPackageDefinition(loadSync(file, { keepCase: false }));
    const Ctor = lookup(pkg, 'grpc.reflection.v1.ServerReflection');
    const client = new Ctor(this.address, credentials.createInsecure()) as unknown as Client & {
      serverReflectionInfo(): NodeJS.EventEmitter & { write(m: unknown): void; end(): void };
    };
    try {
      return await new Promise<string[]>((resolve, reject) => {
        const stream = client.serverReflectionInfo();
        stream.on(
          'data',
          (response: { listServicesResponse?: { service: { name: string }[] } }) => {
            resolve((response.listServicesResponse?.service ?? []).map((s) => s.name));
            stream.end();
          },
        );
        stream.on('error', reject);
        stream.write({ listServices: '' });
      });
    } finally {
      client.close();
    }
  }

  close(): void {
    for (const client of Object.values(this.clients)) client.close();
  }
}

/** The status, message and REST error code of a failed call. */
export async function grpcFailure(
  promise: Promise<unknown>,
): Promise<{ code: number; details: string; errorCode: string | undefined }> {
  try {
    await promise;
  } catch (err) {
    const e = err as ServiceError;
    const errorCode = e.metadata?.get('error-code')[0];
    return {
      code: e.code,
      details: e.details,
      errorCode: errorCode === undefined ? undefined : String(errorCode),
    };
  }
  throw new Error('Expected the call to fail');
}
