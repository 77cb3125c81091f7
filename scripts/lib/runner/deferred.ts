/** A promise settled from outside: robots wait on builds that another task runs. */
export class Deferred<T> {
  readonly promise: Promise<T>;
  resolve!: (value: T) => void;
  reject!: (error: Error) => void;

  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Robots that never reach their wait (failed earlier) must not turn this into an unhandled rejection.
    this.promise.catch(() => undefined);
  }
}
