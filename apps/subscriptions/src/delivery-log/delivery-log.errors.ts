import { AppError } from '@switchboard/service-kit';

export class DeliveryNotFoundError extends AppError {
  constructor(deliveryId: string) {
    super('delivery_not_found', `No delivery ${deliveryId} in this business`, 404, false);
  }
}

/** Kafka did not take the command: nothing was sent, the caller may retry. */
export class CommandsUnavailableError extends AppError {
  constructor(detail: string) {
    super(
      'commands_unavailable',
      `The command could not be sent (${detail}); retry later`,
      503,
      true,
      {
        'retry-after': '5',
      },
    );
  }
}
