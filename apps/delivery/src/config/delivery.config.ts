import { baseServiceEnv, databaseEnv } from '@switchboard/service-kit';
import type { z } from 'zod';

/** Environment of the delivery service; parsed before the application is created. */
export const DeliveryConfig = baseServiceEnv({
  port: 8083,
  clientId: 'switchboard-delivery',
}).extend(databaseEnv.shape);
export type DeliveryConfig = z.infer<typeof DeliveryConfig>;
