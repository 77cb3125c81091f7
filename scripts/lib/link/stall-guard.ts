/**
 * Runs a transfer and aborts it when `progress()` (bytes moved, output seen) has not changed for
 * limitMs: a link that is up but carries nothing must not hold a deploy forever.
 */
export async function withStallGuard<T>(
  progress: () => number,
  limitMs: number,
  stalled: () => Error,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const guard = new AbortController();
  let last = progress();
  let since = Date.now();
  const timer = setInterval(
    () => {
      const now = progress();
      if (now !== last) {
        last = now;
        since = Date.now();
      } else if (Date.now() - since >= limitMs) {
        clearInterval(timer);
        guard.abort(stalled());
      }
    },
    Math.min(1000, limitMs / 4),
  );
  try {
    return await work(guard.signal);
  } catch (error) {
    throw guard.signal.aborted ? guard.signal.reason : error;
  } finally {
    clearInterval(timer);
  }
}
