import { laptopCommandLine } from '../shell/command-line.ts';
import { joinPosix } from '../shell/posix-quote.ts';
import type { CommandResult, Runner, RunOptions } from './runner.ts';

export interface RecordedCommand {
  where: string;
  argv: readonly string[];
  /** Variables the command would get, shown as `NAME=value command`. */
  env?: Record<string, string>;
}

export type Responder = (argv: readonly string[]) => Partial<CommandResult> | undefined;

/** Runs nothing: remembers each command (tests, --dry-run) and answers from a responder. */
export class RecordingRunner implements Runner {
  readonly records = true;

  constructor(
    readonly where: string,
    private readonly log: RecordedCommand[],
    private readonly respond: Responder = () => undefined,
  ) {}

  async run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    this.log.push({ where: this.where, argv: [...argv], ...(options.env ? { env: options.env } : {}) });
    return { code: 0, stdout: '', stderr: '', ...this.respond(argv) };
  }
}

/** Formats a recorded log grouped per host, in the order hosts first appeared. */
export function formatRecorded(log: readonly RecordedCommand[], labels: Record<string, string> = {}): string {
  const hosts = [...new Set(log.map((entry) => entry.where))];
  return hosts
    .map((host) => {
      const lines = log
        .filter((entry) => entry.where === host)
        // The laptop's lines for the user's shell (PowerShell on Windows); a robot's as its sh receives them.
        .map((entry) => `  ${entry.where === 'laptop' ? laptopCommandLine(entry.argv, entry.env) : joinPosix(entry.argv)}`);
      return `${labels[host] ?? host}:\n${lines.join('\n')}`;
    })
    .join('\n');
}
