import { Injectable } from '@nestjs/common';
import { type DeliveryAttempt, DeliveryAttemptsTopic } from '@switchboard/contracts';
import { TopicPublisher } from '@switchboard/kafka';

/** Publishes every attempt on `switchboard.delivery.attempts.v1`, keyed by subscription. */
@Injectable()
export class AttemptPublisher {
  constructor(private readonly publisher: TopicPublisher) {}

  async publish(attempt: DeliveryAttempt): Promise<void> {
    await this.publisher.publish(DeliveryAttemptsTopic, attempt);
  }
}
