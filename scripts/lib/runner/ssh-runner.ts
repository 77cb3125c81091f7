import type { NodeSSH } from 'node-ssh';
import type { ClientChannel } from 'ssh2';
import { traceCommand } from '../cli/output.ts';
import { type DockerAccess, withDockerAccess } from '../commands/robot-docker-access.ts';
import { joinPosix } from '../shell/posix-quote.ts';
import { type CommandResult, RobotTimeoutError, type Runner, type RunOptions } from './runner.ts';

/** coreutils' and busybox's `timeout` exit with this when the command ran out of time. */
const TIMED_OUT = 124;
/** The robot kills its own command first; the laptop gives up this much later if the robot cannot. */
const LAPTOP_GRACE_SECONDS = 10;

/**
 * Runs commands on a robot over an already open SSH connection.
 * The remote login shell parses the line, so argv is POSIX-quoted element by element.
 * Every command has a deadline, enforced on the robot by `timeout` (so a hung docker CLI does not
 * linger there) and on the laptop by closing the channel.
 */
export class SshRunner implements Runner {
  constructor(
    readonly where: string,
    private readonly ssh: NodeSSH,
    private readonly timeoutSeconds: number,
    private readonly access: DockerAccess,
  ) {}

  async run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const seconds = Math.max(1, Math.ceil((options.timeoutMs ?? this.timeoutSeconds * 1000) / 1000));
    let channel: ClientChannel | undefined;
    let timer: NodeJS.Timeout | undefined;
    const remote = ['timeout', '-k', '5', String(seconds), ...withDockerAccess(argv, this.access)];
    traceCommand(this.where, remote);
    const command = this.ssh.execCommand(joinPosix(remote), {
      stdin: options.input,
      onChannel: (opened) => (channel = opened),
      onStdout: options.onOutput && ((chunk) => options.onOutput?.(chunk.toString())),
      onStderr: options.onOutput && ((chunk) => options.onOutput?.(chunk.toString())),
    });
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          channel?.close();
          reject(new RobotTimeoutError(this.where, argv, seconds));
        },
        (seconds + LAPTOP_GRACE_SECONDS) * 1000,
      );
    });
    try {
      const result = await Promise.race([command, late]);
      if (result.code === TIMED_OUT) throw new RobotTimeoutError(this.where, argv, seconds);
      return { code: result.code ?? 255, stdout: result.stdout, stderr: result.stderr };
    } finally {
      clearTimeout(timer);
    }
  }
}
