/**
 * Retries an admin call while Kafka answers with a retriable error, as it does for a moment after
 * a topic is created (no leader elected yet) or while a broker restarts.
 */
export async function retryTransient<T>(
  call: () => Promise<T>,
  { attempts = 20, delayMs = 250 }: { attempts?: number; delayMs?: number } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const retriable = (err as { retriable?: boolean }).retriable === true;
      if (!retriable || attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
