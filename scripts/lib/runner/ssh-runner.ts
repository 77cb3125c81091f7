import type { NodeSSH } from 'node-ssh';
import { joinPosix } from '../shell/posix-quote.ts';
import type { CommandResult, RunOptions, Runner } from './runner.ts';

/**
 * Runs commands on a robot over an already open SSH connection.
 * The remote login shell parses the line, so argv is POSIX-quoted element by element.
 */
export class SshRunner implements Runner {
  constructor(
    readonly where: string,
    private readonly ssh: NodeSSH,
  ) {}

  async run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const result = await this.ssh.execCommand(joinPosix(argv), {
      stdin: options.input,
      onStdout: options.onOutput && ((chunk) => options.onOutput?.(chunk.toString())),
      onStderr: options.onOutput && ((chunk) => options.onOutput?.(chunk.toString())),
    });
    return { code: result.code ?? 255, stdout: result.stdout, stderr: result.stderr };
  }
}
