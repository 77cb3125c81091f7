/**
 * Everything a run opened (tunnels, SSH connections, temporary tags), closed in reverse order on
 * success, failure, Ctrl-C and SIGTERM alike. Closing twice is harmless.
 */
export class Teardown {
  private readonly steps: { label: string; close: () => Promise<void> | void }[] = [];
  private running: Promise<string[]> | undefined;

  add(label: string, close: () => Promise<void> | void): () => Promise<void> {
    const step = { label, close };
    this.steps.push(step);
    return async () => {
      const index = this.steps.indexOf(step);
      if (index < 0) return;
      this.steps.splice(index, 1);
      await step.close();
    };
  }

  get size(): number {
    return this.steps.length;
  }

  /** Runs every step (each bounded in time); returns the labels of steps that failed. */
  run(timeoutMs = 5000): Promise<string[]> {
    this.running ??= (async () => {
      const failed: string[] = [];
      for (let step = this.steps.pop(); step; step = this.steps.pop()) {
        const ok = await Promise.race([
          Promise.resolve()
            .then(step.close)
            .then(
              () => true,
              () => false,
            ),
          new Promise<boolean>((resolve) => setTimeout(resolve, timeoutMs, false).unref()),
        ]);
        if (!ok) failed.push(step.label);
      }
      this.running = undefined;
      return failed;
    })();
    return this.running;
  }
}
