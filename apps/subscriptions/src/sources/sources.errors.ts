import { AppError } from '@switchboard/service-kit';

export class SourceNotFoundError extends AppError {
  constructor(sourceId: string) {
    super('source_not_found', `No source ${sourceId} in this business`, 404, false);
  }
}
