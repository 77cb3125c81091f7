import { NodeSSH } from 'node-ssh';
import type { Socket } from 'node:net';
import { userInfo } from 'node:os';
import type { RobotConfig } from '../config/project-config.ts';
import { formatSshTarget } from '../config/ssh-target.ts';
import { SshRunner } from '../runner/ssh-runner.ts';
import { authHandler, planAuth } from './auth-plan.ts';
import { explainConnectError } from './connect-errors.ts';
import { judgeHostKey, type HostKeyVerdict, type KnownHosts } from './host-keys.ts';
import { DEFAULT_LINK, watchSilence, type LinkPolicy } from './liveness.ts';
import { openSocket } from './open-socket.ts';
import { resolveSshHost } from './ssh-config.ts';

export interface ConnectOptions {
  knownHosts: KnownHosts;
  timeoutMs?: number;
  /** When a silent link counts as lost, and how long robot commands may take. */
  link?: LinkPolicy;
  password?: string;
  /** Set to use only the password (key registration). */
  passwordOnly?: boolean;
  /** Asked before pinning a robot's first key (setup.ts on a terminal); without it the key is pinned and reported. */
  confirmNewHostKey?: (fingerprint: string, type: string) => Promise<boolean>;
}

export interface RobotConnection {
  ssh: NodeSSH;
  runner: SshRunner;
  hostKey: HostKeyVerdict;
  /** Resolves when the connection drops for any reason after it was up. */
  closed: Promise<Error | undefined>;
  isClosed(): boolean;
  close(): void;
}

const RSA_ALGORITHMS = ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

export async function connectRobot(robot: RobotConfig, options: ConnectOptions): Promise<RobotConnection> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const resolved = resolveSshHost(robot.target);
  const username = resolved.user ?? userInfo().username;
  const plan = planAuth({
    username,
    keyFile: robot.sshKey,
    configKeys: resolved.identityFiles,
    password: options.password,
    passwordOnly: options.passwordOnly,
  });
  const pins = options.knownHosts.pinned(robot.name);
  let verdict: HostKeyVerdict | undefined;
  const ssh = new NodeSSH();
  const address = formatSshTarget({ user: username, host: resolved.host, port: resolved.port });
  const link = options.link ?? DEFAULT_LINK;
  let socket: Socket | undefined;
  try {
    socket = await openSocket(resolved.host, resolved.port ?? 22, timeoutMs);
    await ssh.connect({
      sock: socket,
      host: resolved.host,
      port: resolved.port ?? 22,
      username,
      readyTimeout: timeoutMs,
      // Keepalives only make an idle link answer; watchSilence decides when the link is lost.
      keepaliveInterval: link.aliveIntervalSeconds * 1000,
      keepaliveCountMax: Number.MAX_SAFE_INTEGER,
      authHandler: authHandler(plan) as never,
      // Ask for the pinned key type, or a robot offering several keys could show another one and look "changed".
      ...(pins.length ? { algorithms: { serverHostKey: [...new Set(pins.flatMap((p) => (p.type === 'ssh-rsa' ? RSA_ALGORITHMS : [p.type])))] as never } } : {}),
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        const seen = judgeHostKey(pins, key);
        verdict = seen;
        if (seen.kind !== 'first-contact') return verify(seen.kind === 'match');
        const confirm = options.confirmNewHostKey?.(seen.fingerprint, seen.type) ?? Promise.resolve(true);
        void confirm.then((ok) => {
          if (ok) options.knownHosts.pin(robot.name, key);
          else verdict = { kind: 'declined', fingerprint: seen.fingerprint };
          verify(ok);
        });
      },
    });
  } catch (error) {
    socket?.destroy();
    ssh.dispose();
    throw explainConnectError(error as Error, { robot: robot.name, address, timeoutMs, tried: plan.tried, skipped: plan.skipped, verdict });
  }
  const connection = ssh.connection!;
  // After `ready`, an unhandled 'error' (Wi-Fi reset) would crash the whole process.
  let isClosed = false;
  const closed = new Promise<Error | undefined>((resolve) => {
    let lastError: Error | undefined;
    connection.on('error', (error) => (lastError = error));
    connection.on('close', () => {
      isClosed = true;
      resolve(lastError);
    });
  });
  watchSilence(socket!, link, (error) => {
    connection.emit('error', error);
    socket?.destroy();
  });
  return { ssh, runner: new SshRunner(robot.name, ssh, link.robotTimeoutSeconds, { dockerPath: robot.dockerPath, envPrefix: robot.envPrefix }), hostKey: verdict!, closed, isClosed: () => isClosed, close: () => ssh.dispose() };
}

/** Connects, runs `work` on the connection, and always closes it (status.ts, rollback.ts). */
export async function withRobotConnection<T>(robot: RobotConfig, options: ConnectOptions, work: (connection: RobotConnection) => Promise<T>): Promise<T> {
  const connection = await connectRobot(robot, options);
  try {
    return await work(connection);
  } finally {
    connection.close();
  }
}
