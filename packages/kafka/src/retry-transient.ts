/**
 * Retries an admin call while Kafka answers with a retriable error, as it does for a while after a
 * topic is created (no leader elected yet) or while a broker restarts and loads its logs. The
 * budget is time, not attempts: a restarted broker on a busy machine can answer "not the leader"
 * for many seconds, and a service that gives up at startup then exits for nothing.
 */
export async function retryTransient<T>(
  call: () => Promise<T>,
  {
    timeoutMs = 60_000,
    delayMs = 250,
    maxDelayMs = 2_000,
  }: { timeoutMs?: number; delayMs?: number; maxDelayMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = delayMs; ; delay = Math.min(maxDelayMs, delay * 2)) {
    try {
      return await call();
    } catch (err) {
      if (!isTransient(err) || Date.now() + delay > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * A retriable Kafka error, also when kafkajs wraps one after running out of its own retries
 * (`KafkaJSNumberOfRetriesExceeded` is not retriable itself; its cause says what failed).
 */
function isTransient(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if ((e as { retriable?: boolean }).retriable === true) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
