/**
 * A seam for the end-to-end tests only: RD_TEST_HOLD_BEFORE=<step> parks every robot before that
 * step until the run is interrupted, so a test can deliver Ctrl-C or SIGTERM in any step.
 */
export async function holdIfTesting(step: string, signal: AbortSignal, show: (text: string) => void): Promise<void> {
  if (process.env.RD_TEST_HOLD_BEFORE !== step) return;
  show(`held before "${step}" by RD_TEST_HOLD_BEFORE (test hook)`);
  await new Promise<void>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
