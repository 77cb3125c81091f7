import { userInfo } from 'node:os';
import { NodeSSH } from 'node-ssh';
import { DEFAULT_LINK, type LinkPolicy } from '../config/link-policy.ts';
import type { RobotConfig } from '../config/project-config.ts';
import { formatSshTarget } from '../config/ssh-target.ts';
import { SshRunner } from '../runner/ssh-runner.ts';
import { agentForLogin } from './agent-probe.ts';
import { authHandler, planAuth } from './auth-plan.ts';
import { ConnectError, explainConnectError, unconfirmedMessage } from './connect-errors.ts';
import { type HostKeyVerdict, judgeHostKey, type KnownHosts, type PinnedKey } from './host-keys.ts';
import { watchSilence } from './liveness.ts';
import { openTransport, type Transport } from './proxy.ts';
import { resolveSshHost } from './ssh-config.ts';

export interface ConnectOptions {
  knownHosts: KnownHosts;
  timeoutMs?: number;
  /** When a silent link counts as lost, and how long robot commands may take. */
  link?: LinkPolicy;
  password?: string;
  /** Set to use only the password (key registration). */
  passwordOnly?: boolean;
  /**
   * Asked before trusting a robot's first key (setup.ts on a terminal), outside every timeout. Without
   * it a first key is trusted as OpenSSH's accept-new does, except that a password is never sent to it
   * unless `passwordToNewHostKey` opts in.
   */
  confirmNewHostKey?: (fingerprint: string, type: string) => Promise<boolean>;
  passwordToNewHostKey?: boolean;
  /** false: a first key (the robot's or a jump host's) is trusted for this connection only and not written (doctor changes nothing). */
  pinNewHostKey?: boolean;
  /** Asked before trusting a ProxyJump hop's first key (setup.ts on a terminal); without it, accept-new. */
  confirmNewJumpHostKey?: (where: string, fingerprint: string, type: string) => Promise<boolean>;
}

export interface RobotConnection {
  ssh: NodeSSH;
  runner: SshRunner;
  hostKey: HostKeyVerdict;
  hostKeyBlob?: Buffer;
  /** Resolves when the connection drops for any reason after it was up. */
  closed: Promise<Error | undefined>;
  isClosed(): boolean;
  close(): void;
}

const RSA_ALGORITHMS = ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

export async function connectRobot(robot: RobotConfig, options: ConnectOptions): Promise<RobotConnection> {
  const pins = options.knownHosts.pinned(robot.name);
  let expected: Buffer | undefined;
  for (;;) {
    try {
      const attempt = await handshake(robot, options, pins, expected);
      return await finishFirstContact(robot, options, attempt);
    } catch (error) {
      // The question is asked between two connections, so no handshake timer runs while a person reads.
      const unasked = error instanceof ConnectError && error.kind === 'host-key-unconfirmed' ? error.verdict : undefined;
      if (unasked?.kind !== 'first-contact' || expected || !options.confirmNewHostKey) throw error;
      if (!(await options.confirmNewHostKey(unasked.fingerprint, unasked.type))) {
        throw new ConnectError(
          'host-key-declined',
          `${robot.name}: host key ${unasked.fingerprint} was not accepted; nothing was pinned.`,
          unasked,
        );
      }
      expected = (error as ConnectError & { key: Buffer }).key;
    }
  }
}

/** Pins a first key only now that the robot has also authenticated us (a wrong password pins nothing). */
async function finishFirstContact(robot: RobotConfig, options: ConnectOptions, connection: RobotConnection): Promise<RobotConnection> {
  const key = connection.hostKey;
  if (key.kind !== 'first-contact' || options.pinNewHostKey === false) return connection;
  try {
    if (!connection.hostKeyBlob) throw new Error('the host key was not seen');
    options.knownHosts.pin(robot.name, connection.hostKeyBlob);
  } catch (error) {
    connection.close();
    throw new ConnectError('known-hosts', `${robot.name}: ${(error as Error).message}`, key);
  }
  return connection;
}

async function handshake(robot: RobotConfig, options: ConnectOptions, pins: PinnedKey[], expected?: Buffer): Promise<RobotConnection> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const resolved = resolveSshHost(robot.target);
  const username = resolved.user ?? userInfo().username;
  const plan = planAuth({
    username,
    keyFile: robot.sshKey,
    agent: options.passwordOnly ? undefined : await agentForLogin(robot.name, robot.sshKey),
    configKeys: resolved.identityFiles,
    password: options.password,
    passwordOnly: options.passwordOnly,
  });
  const trusted = pins.filter((pin) => !pin.revoked);
  let verdict: HostKeyVerdict | undefined;
  let keyBlob: Buffer | undefined;
  let unconfirmed = false;
  const ssh = new NodeSSH();
  const address = formatSshTarget({ user: username, host: resolved.host, port: resolved.port });
  const link = options.link ?? DEFAULT_LINK;
  let transport: Transport | undefined;
  try {
    transport = await openTransport(resolved, username, {
      knownHosts: options.knownHosts,
      timeoutMs,
      keyFile: robot.sshKey,
      pinNewHostKey: options.pinNewHostKey,
      confirmNewHostKey: options.confirmNewJumpHostKey,
    });
    await ssh.connect({
      sock: transport.sock as never,
      host: resolved.host,
      port: resolved.port ?? 22,
      username,
      readyTimeout: timeoutMs,
      // Keepalives only make an idle link answer; watchSilence decides when the link is lost.
      keepaliveInterval: link.aliveIntervalSeconds * 1000,
      keepaliveCountMax: Number.MAX_SAFE_INTEGER,
      authHandler: authHandler(plan) as never,
      // Ask for the pinned key type, or a robot offering several keys could show another one and look "changed".
      ...(trusted.length
        ? {
            algorithms: {
              serverHostKey: [...new Set(trusted.flatMap((p) => (p.type === 'ssh-rsa' ? RSA_ALGORITHMS : [p.type])))] as never,
            },
          }
        : {}),
      hostVerifier: (key: Buffer) => {
        keyBlob = key;
        verdict = judgeHostKey(pins, key);
        if (verdict.kind !== 'first-contact') return verdict.kind === 'match';
        if (expected) return expected.equals(key);
        unconfirmed = Boolean(options.confirmNewHostKey) || (Boolean(options.password) && options.passwordToNewHostKey !== true);
        return !unconfirmed;
      },
    });
  } catch (error) {
    transport?.sock.destroy();
    transport?.close();
    ssh.dispose();
    if (verdict?.kind === 'first-contact' && expected && !(keyBlob && expected.equals(keyBlob))) {
      throw new ConnectError(
        'host-key-changed',
        `${robot.name}: the host key changed to ${verdict.fingerprint} while its first key was being confirmed — refusing to connect.`,
        verdict,
      );
    }
    if (verdict?.kind === 'first-contact' && unconfirmed) {
      const unconfirmed = new ConnectError(
        'host-key-unconfirmed',
        unconfirmedMessage(robot, verdict, Boolean(options.confirmNewHostKey)),
        verdict,
      );
      throw Object.assign(unconfirmed, { key: keyBlob });
    }
    throw explainConnectError(error as Error, {
      robot: robot.name,
      address,
      timeoutMs,
      tried: plan.tried,
      skipped: plan.skipped,
      verdict,
    });
  }
  const connection = ssh.connection;
  const opened = transport;
  const hostKey = verdict;
  if (!connection || !opened || !hostKey)
    throw new Error(`${robot.name}: internal error: SSH reported ready without a connection or a host key`);
  // After `ready`, an unhandled 'error' (Wi-Fi reset) would crash the whole process.
  let isClosed = false;
  const closed = new Promise<Error | undefined>((resolve) => {
    let lastError: Error | undefined;
    connection.on('error', (error) => (lastError = error));
    connection.on('close', () => {
      isClosed = true;
      opened.close();
      resolve(lastError);
    });
  });
  watchSilence(opened.sock, link, (error) => {
    connection.emit('error', error);
    opened.sock.destroy();
  });
  const runner = new SshRunner(robot.name, ssh, link.robotTimeoutSeconds, {
    dockerPath: robot.dockerPath,
    envPrefix: robot.envPrefix,
  });
  return {
    ssh,
    runner,
    hostKey,
    hostKeyBlob: keyBlob,
    closed,
    isClosed: () => isClosed,
    close: () => ssh.dispose(),
  };
}

/** Connects, runs `work` on the connection, and always closes it (status.ts, rollback.ts). */
export async function withRobotConnection<T>(
  robot: RobotConfig,
  options: ConnectOptions,
  work: (connection: RobotConnection) => Promise<T>,
): Promise<T> {
  const connection = await connectRobot(robot, options);
  try {
    return await work(connection);
  } finally {
    connection.close();
  }
}
