/**
 * What to say of anything thrown: an `Error`'s message, otherwise its string form (a rejected
 * promise may carry any value). The one place the codebase turns a caught value into text.
 */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
