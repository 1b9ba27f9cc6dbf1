import type { Metadata } from '@grpc/grpc-js';
import type { Credentials } from '../auth/principal';

/** The same credentials as REST, from call metadata: `authorization` and `x-api-key`. */
export function credentialsOf(metadata: Metadata): Credentials {
  const first = (key: string): string | undefined => {
    const value = metadata.get(key)[0];
    return typeof value === 'string' ? value : undefined;
  };
  return { authorization: first('authorization'), apiKey: first('x-api-key') };
}
