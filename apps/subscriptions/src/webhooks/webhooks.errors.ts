import { AppError } from '@switchboard/service-kit';

export class WebhookNotFoundError extends AppError {
  constructor(topic: string) {
    super('webhook_not_found', `No webhook subscription to ${topic} in this business`, 404, false);
  }
}
