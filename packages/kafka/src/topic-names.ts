/**
 * Topic names as this deployment sees them: the catalog's names behind an optional prefix
 * (`KAFKA_TOPIC_PREFIX`), so that several environments, or several test runs, can share a cluster.
 */
export class TopicNames {
  constructor(readonly prefix = '') {}

  name(topic: { name: string }): string {
    return `${this.prefix}${topic.name}`;
  }
}
