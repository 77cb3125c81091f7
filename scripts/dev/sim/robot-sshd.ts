// A robot's sshd: listens on the robot address inside its netns, with a private mount
// namespace in which the robot's own home dir is bind-mounted over the rdsim home.
import { chmodSync, chownSync, existsSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ROBOT_LOCK_DIR } from '../../lib/commands/robot-lock-script.ts';
import { type DockerAccessKind, type EngineFlavour, enginePath } from './engine-flavours.ts';
import { run, waitUntil } from './exec.ts';
import type { SimUser } from './identity.ts';
import { inPrivateMounts, type RobotLayout, SSH_PORT } from './names.ts';
import { isOurProcess, readPidFile, terminate } from './processes.ts';
import { ensureDir, type robotFiles } from './state.ts';

type RobotFiles = ReturnType<typeof robotFiles>;

// Own UTS namespace too, so `hostname` in a robot session names the robot.
// A robot has a /tmp of its own, and its own lock directory where robot-deploy expects it (an
// admin's `install -d -m 2770 -g docker /var/lib/robot-deploy`). An off-path robot hides the
// docker CLIs on PATH behind /dev/null (not executable), as a snap install leaves /snap/bin/docker off
// the non-interactive PATH.
const WRAPPER =
  '{ hostname "$5" 2>/dev/null || true; } && mount --bind "$1" "$2" && mount --bind "$7" /tmp && ' +
  'mkdir -p "$9" && mount --bind "$8" "$9" || exit 1; ' +
  'if [ "$6" = off-path ]; then for f in /usr/bin/docker /usr/local/bin/docker; do if [ -e "$f" ]; then mount --bind /dev/null "$f" || exit 1; fi; done; fi; ' +
  'exec /usr/sbin/sshd -f "$3" -E "$4"';

/** `listen` is the robot's address, or 127.0.0.1 when a latency relay holds the address. */
export function sshdConfig(listen: string, files: RobotFiles, passwordLogin: boolean, engine: EngineFlavour = 'docker20'): string {
  return [
    `Port ${SSH_PORT}`,
    `ListenAddress ${listen}`,
    `HostKey ${files.hostKey}`,
    `PidFile ${files.sshdPid}`,
    'AuthorizedKeysFile .ssh/authorized_keys',
    `PasswordAuthentication ${passwordLogin ? 'yes' : 'no'}`,
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'PermitRootLogin no',
    'AllowTcpForwarding local',
    'X11Forwarding no',
    'UseDNS no',
    'PrintMotd no',
    // A deploy opens several sessions and tunnels at once; the default 10:30:100 drops some.
    'MaxStartups 100',
    'MaxSessions 64',
    'Subsystem sftp internal-sftp',
    `SetEnv DOCKER_HOST=unix://${files.dockerSock} PATH=${enginePath(engine)}`,
    '',
  ].join('\n');
}

/**
 * The robot's home: sshd's StrictModes wants it owned by the user and not group/world writable.
 * `cliPlugins` (docker26: buildx and compose from the Debian 13 root) becomes ~/.docker/cli-plugins,
 * where the robot's docker CLI looks for `docker compose`.
 */
export function prepareRobotHome(files: RobotFiles, user: SimUser, authorizedKeys: string, cliPlugins?: string): void {
  const ssh = join(files.home, '.ssh');
  ensureDir(ssh, 0o700);
  chmodSync(files.home, 0o755);
  chmodSync(ssh, 0o700);
  const keys = join(ssh, 'authorized_keys');
  writeFileSync(keys, authorizedKeys, { mode: 0o600 });
  for (const path of [files.home, ssh, keys]) chownSync(path, user.uid, user.gid);
  if (!cliPlugins) return;
  const dockerConfig = join(files.home, '.docker');
  ensureDir(dockerConfig, 0o700);
  chownSync(dockerConfig, user.uid, user.gid);
  if (!existsSync(join(dockerConfig, 'cli-plugins'))) symlinkSync(cliPlugins, join(dockerConfig, 'cli-plugins'));
}

export interface SshdOptions {
  passwordLogin: boolean;
  engine: EngineFlavour;
  /** The robot's address, or 127.0.0.1 when a latency relay holds the address. */
  listen: string;
  access: DockerAccessKind;
}

export async function startRobotSshd(robot: RobotLayout, files: RobotFiles, user: SimUser, opts: SshdOptions): Promise<void> {
  writeFileSync(
    files.sshdConfig,
    sshdConfig(opts.listen, files, opts.passwordLogin, opts.access === 'off-path' ? 'docker20' : opts.engine),
  );
  ensureDir(files.tmp);
  chmodSync(files.tmp, 0o1777);
  // Owned by root, the robot user's group (which owns docker.sock on a group robot), nothing for others.
  ensureDir(files.lockDir);
  chownSync(files.lockDir, 0, user.gid);
  chmodSync(files.lockDir, 0o2770);
  ensureDir('/run/sshd');
  // sshd daemonizes, so this returns once it has read its config and bound its socket.
  const result = await run(
    'nsenter',
    [
      ...inPrivateMounts(robot, WRAPPER),
      'sim-robot-sshd',
      files.home,
      user.home,
      files.sshdConfig,
      files.sshdLog,
      robot.name,
      opts.access,
      files.tmp,
      files.lockDir,
      ROBOT_LOCK_DIR,
    ],
    { allowFail: true, timeoutMs: 20_000 },
  );
  if (result.code !== 0) {
    const detail = result.stderr.trim();
    throw new Error(`robot ${files.id}: sshd failed to start (exit ${result.code}${detail ? `: ${detail}` : ''}); see ${files.sshdLog}`);
  }
}

export function tcpConnects(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** sshd writes its pidfile only once it listens, so probe :22 (which sshd logs) just once after that. */
export async function waitForSsh(robot: RobotLayout, files: RobotFiles, timeoutMs = 20_000): Promise<void> {
  const listening = await waitUntil(
    () => {
      const pid = readPidFile(files.sshdPid);
      return pid !== undefined && isOurProcess(pid, files.sshdConfig);
    },
    timeoutMs,
    20,
  );
  if (!listening || !(await waitUntil(() => tcpConnects(robot.address, SSH_PORT, 1_000), 5_000, 100))) {
    throw new Error(`robot ${files.id}: nothing answers on ${robot.address}:${SSH_PORT}; see ${files.sshdLog}`);
  }
}

export async function stopRobotSshd(files: RobotFiles): Promise<void> {
  const pid = readPidFile(files.sshdPid);
  if (pid !== undefined && isOurProcess(pid, files.sshdConfig)) await terminate([pid], 5_000);
}
