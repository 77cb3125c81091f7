/** A mistake in the command line or robots.env: exit code 2, nothing has run yet. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function configError(file: string, line: number | undefined, message: string): UsageError {
  return new UsageError(line === undefined ? `${file}: ${message}` : `${file}:${line}: ${message}`);
}
