import { baseServiceEnv, databaseEnv } from '@switchboard/service-kit';
import { z } from 'zod';

/** Environment of the normalizer service; parsed before the application is created. */
export const NormalizerConfig = baseServiceEnv({
  port: 8082,
  clientId: 'switchboard-normalizer',
})
  .extend(databaseEnv.shape)
  .extend({
    /** The consumer group reading the raw topic; every normalizer instance shares it. */
    CONSUMER_GROUP_ID: z.string().min(1).default('switchboard-normalizer'),
  });
export type NormalizerConfig = z.infer<typeof NormalizerConfig>;
