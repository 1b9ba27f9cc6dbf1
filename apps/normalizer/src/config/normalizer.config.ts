import { baseServiceEnv, databaseEnv } from '@switchboard/service-kit';
import type { z } from 'zod';

/** Environment of the normalizer service; parsed before the application is created. */
export const NormalizerConfig = baseServiceEnv({
  port: 8082,
  clientId: 'switchboard-normalizer',
}).extend(databaseEnv.shape);
export type NormalizerConfig = z.infer<typeof NormalizerConfig>;
