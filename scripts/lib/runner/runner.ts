export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Text written to the command's stdin. */
  input?: string;
  /** Called with each chunk of stdout/stderr as it arrives (progress display). */
  onOutput?: (chunk: string) => void;
  /** Stops this one command (e.g. a push whose tunnel died); the runner's own signal still applies. */
  signal?: AbortSignal;
  /** Robot commands: the deadline, instead of ROBOT_TIMEOUT_SECONDS. */
  timeoutMs?: number;
  /** Laptop commands: variables added to the environment. */
  env?: Record<string, string>;
}

/**
 * Where a command runs: the laptop (zx), a robot (one SSH connection) or nowhere (recording).
 * `run` resolves with the exit code and never rejects on a non-zero exit; callers decide.
 */
export interface Runner {
  readonly where: string;
  /** True for the recording runner: nothing runs, so no file a command would write appears. */
  readonly records?: boolean;
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
}

export class CommandError extends Error {
  constructor(
    readonly where: string,
    readonly argv: readonly string[],
    readonly result: CommandResult,
    what: string,
  ) {
    super(`${what} failed on ${where} (exit ${result.code}): ${lastLines(result.stderr || result.stdout)}`);
    this.name = 'CommandError';
  }
}

/** A robot command that did not finish within its deadline (a hung docker, a stalled disk). */
export class RobotTimeoutError extends Error {
  constructor(
    readonly where: string,
    readonly argv: readonly string[],
    readonly seconds: number,
    what = 'a robot command',
  ) {
    super(
      `${what}: ${where} gave no result within ${seconds} s; the robot's docker may be hung ` +
        `(check \`docker info\` there, restart it with \`sudo systemctl restart docker\`), ` +
        'or raise ROBOT_TIMEOUT_SECONDS in robots.env for a slow robot',
    );
    this.name = 'RobotTimeoutError';
  }
}

export function lastLines(text: string, count = 3): string {
  const lines = text
    .trim()
    .split('\n')
    .filter((line) => line.trim() !== '');
  return lines.slice(-count).join(' | ') || '(no output)';
}

/** Runs a command and throws a CommandError naming `what` when it exits non-zero. */
export async function runChecked(runner: Runner, argv: readonly string[], what: string, options?: RunOptions): Promise<CommandResult> {
  const result = await runner.run(argv, options).catch((error: Error) => {
    throw error instanceof RobotTimeoutError ? new RobotTimeoutError(error.where, error.argv, error.seconds, what) : error;
  });
  if (result.code !== 0) throw new CommandError(runner.where, argv, result, what);
  return result;
}
