/** How a webhook was let through to Kafka: as one of many, or as the one probe while Kafka fails. */
export type StorePass = 'send' | 'probe';

/**
 * Once Kafka has failed a write, webhooks are refused before they reach the producer (and so are
 * surely not stored) rather than each waiting through the producer's retries; one at a time is
 * still sent, as a probe. The first acknowledgement, of a probe or of any earlier write, lets
 * every webhook through again.
 */
export class StoreBreaker {
  private failing = false;
  private probing = false;

  /** How the next webhook may go to Kafka, or undefined when it must be refused. */
  pass(): StorePass | undefined {
    if (!this.failing) return 'send';
    if (this.probing) return undefined;
    this.probing = true;
    return 'probe';
  }

  acknowledged(pass: StorePass): void {
    this.failing = false;
    if (pass === 'probe') this.probing = false;
  }

  failed(pass: StorePass): void {
    this.failing = true;
    if (pass === 'probe') this.probing = false;
  }
}
