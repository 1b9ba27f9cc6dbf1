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

/** The delivery service recorded no attempt of a test event in time. */
export class TestDeliveryTimeoutError extends AppError {
  constructor(requestId: string, timeoutMs: number) {
    super(
      'test_delivery_timeout',
      `No attempt of test ${requestId} was recorded within ${timeoutMs} ms; it may still be delivered (see the delivery log)`,
      504,
      true,
    );
  }
}
