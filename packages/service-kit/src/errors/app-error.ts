/**
 * A failure the service knows how to describe: a stable string code, whether the caller may
 * retry, and the HTTP status it maps to. Each module declares its own codes as subclasses.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus: number,
    readonly retryable: boolean,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The JSON body of every error answer: `{"error":{"code","message"}}`. */
export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}
