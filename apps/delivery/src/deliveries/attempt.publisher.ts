import { Injectable } from '@nestjs/common';
import { type DeliveryAttempt, DeliveryAttemptsTopic, encodeMessage } from '@switchboard/contracts';
import { BatchingProducer, TopicNames } from '@switchboard/kafka';

/** Publishes every attempt on `switchboard.delivery.attempts.v1`, keyed by subscription. */
@Injectable()
export class AttemptPublisher {
  private readonly topic: string;

  constructor(
    private readonly producer: BatchingProducer,
    topics: TopicNames,
  ) {
    this.topic = topics.name(DeliveryAttemptsTopic);
  }

  async publish(attempt: DeliveryAttempt): Promise<void> {
    await this.producer.send(this.topic, encodeMessage(DeliveryAttemptsTopic, attempt));
  }
}
