import { AppError } from '@switchboard/service-kit';

export class DeadLetterNotFoundError extends AppError {
  constructor(id: string) {
    super('dead_letter_not_found', `No dead letter ${id} in this business`, 404, false);
  }
}

/** The audit views, where inbound dead letters are read, answer 503 with this until they exist. */
export const inboundUnavailable = { code: 'dead_letters_unavailable', what: 'inbound audit log' };
