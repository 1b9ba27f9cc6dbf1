import { baseServiceEnv, databaseEnv } from '@switchboard/service-kit';
import type { z } from 'zod';

/** Environment of the subscriptions service; parsed before the application is created. */
export const SubscriptionsConfig = baseServiceEnv({
  port: 8081,
  clientId: 'switchboard-subscriptions',
}).extend(databaseEnv.shape);
export type SubscriptionsConfig = z.infer<typeof SubscriptionsConfig>;
