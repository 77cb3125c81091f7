import { userInfo } from 'node:os';
import type { Duplex } from 'node:stream';
import { NodeSSH } from 'node-ssh';
import type { ClientChannel } from 'ssh2';
import { formatSshTarget, parseSshTarget } from '../config/ssh-target.ts';
import { agentForLogin } from './agent-probe.ts';
import { authHandler, planAuth } from './auth-plan.ts';
import { judgeHostKey, type KnownHosts } from './host-keys.ts';
import { openSocket } from './open-socket.ts';
import { openProxyCommand } from './proxy-command.ts';
import { type ResolvedHost, resolveSshHost } from './ssh-config.ts';

/** The byte stream an SSH session to a robot runs over, and what else must close with it. */
export interface Transport {
  sock: Duplex;
  close(): void;
}

export interface TransportOptions {
  knownHosts: KnownHosts;
  timeoutMs: number;
  /** SSH_KEY of robots.env, also used for the jump hosts. */
  keyFile?: string;
}

/** Direct TCP, else ProxyCommand (taken first, as ssh does), else through each ProxyJump hop in turn. */
export async function openTransport(resolved: ResolvedHost, username: string, options: TransportOptions): Promise<Transport> {
  const port = resolved.port ?? 22;
  if (resolved.proxyCommand) return openProxyCommand(resolved.proxyCommand, resolved.host, port, username);
  if (!resolved.proxyJump?.length) {
    const socket = await openSocket(resolved.host, port, options.timeoutMs);
    return { sock: socket, close: () => socket.destroy() };
  }
  const hops: NodeSSH[] = [];
  const closeAll = () => {
    for (const hop of hops) hop.dispose();
  };
  try {
    let sock: Duplex | undefined;
    const hopSpecs = resolved.proxyJump;
    for (const [index, spec] of hopSpecs.entries()) {
      const hop = await connectJumpHost(spec, sock, options);
      hops.push(hop);
      const [host, hopPort] = index + 1 < hopSpecs.length ? nextHopAddress(hopSpecs[index + 1]) : [resolved.host, port];
      sock = await forward(hop, host, hopPort, spec);
    }
    if (!sock) throw new Error('ProxyJump names no jump host');
    return { sock, close: closeAll };
  } catch (error) {
    closeAll();
    throw error;
  }
}

function nextHopAddress(spec: string): [string, number] {
  const target = jumpTarget(spec);
  const resolved = resolveSshHost(target);
  return [resolved.host, resolved.port ?? 22];
}

function jumpTarget(spec: string) {
  const target = parseSshTarget(spec);
  if (typeof target === 'string') throw new Error(`ProxyJump ${spec} in ~/.ssh/config: ${target}`);
  return target;
}

/** A jump host: its own ~/.ssh/config entry (not its own proxies), its key checked against known_hosts. */
async function connectJumpHost(spec: string, via: Duplex | undefined, options: TransportOptions): Promise<NodeSSH> {
  const target = jumpTarget(spec);
  const resolved = resolveSshHost(target);
  const username = resolved.user ?? userInfo().username;
  const port = resolved.port ?? 22;
  // Pinned under the name as written in ProxyJump, in known_hosts syntax ([host]:port off port 22).
  const pinName = port === 22 ? target.host : `[${target.host}]:${port}`;
  const pins = options.knownHosts.pinned(pinName);
  const where = `jump host ${formatSshTarget({ user: username, host: resolved.host, ...(port === 22 ? {} : { port }) })}`;
  const sock =
    via ??
    (await openSocket(resolved.host, port, options.timeoutMs).catch((error: Error & { code?: string }) => {
      throw new Error(`${where}: ${error.code ?? error.message}. Check ProxyJump ${spec} in ~/.ssh/config`);
    }));
  const agent = await agentForLogin(where, options.keyFile);
  const plan = planAuth({ username, keyFile: options.keyFile, configKeys: resolved.identityFiles, agent });
  const ssh = new NodeSSH();
  let seen: Buffer | undefined;
  let verdict: ReturnType<typeof judgeHostKey> | undefined;
  try {
    await ssh.connect({
      sock,
      host: resolved.host,
      port,
      username,
      readyTimeout: options.timeoutMs,
      authHandler: authHandler(plan) as never,
      hostVerifier: (key: Buffer) => {
        seen = key;
        verdict = judgeHostKey(pins, key);
        return verdict.kind === 'match' || verdict.kind === 'first-contact';
      },
    });
  } catch (error) {
    sock.destroy();
    ssh.dispose();
    if (verdict && verdict.kind !== 'match' && verdict.kind !== 'first-contact') {
      throw new Error(
        `${where}: HOST KEY ${verdict.kind === 'revoked' ? 'REVOKED' : 'CHANGED'} (${verdict.fingerprint}) — refusing to connect. If it was reinstalled, remove ${pinName} from ${options.knownHosts.file}.`,
      );
    }
    throw new Error(`${where}: ${(error as Error).message}; tried ${plan.tried.join(', ') || 'no key'}`);
  }
  ssh.connection?.on('error', () => undefined);
  if (verdict?.kind === 'first-contact') {
    if (!seen) throw new Error(`${where}: the host key was not seen`);
    options.knownHosts.pin(pinName, seen);
  }
  return ssh;
}

function forward(hop: NodeSSH, host: string, port: number, spec: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    if (!hop.connection) return reject(new Error(`jump host ${spec} is not connected`));
    hop.connection.forwardOut('127.0.0.1', 0, host, port, (error, channel) =>
      error ? reject(new Error(`jump host ${spec} could not reach ${host}:${port}: ${error.message}`)) : resolve(channel),
    );
  });
}
