// One ProxyJump hop: its own ~/.ssh/config entry (not its own proxies), its host key checked against
// known_hosts like a robot's, confirmed on a terminal when setup asks, and pinned only when the caller pins.
import { userInfo } from 'node:os';
import type { Duplex } from 'node:stream';
import { NodeSSH } from 'node-ssh';
import { formatSshTarget, parseSshTarget } from '../config/ssh-target.ts';
import { agentForLogin } from './agent-probe.ts';
import { authHandler, planAuth } from './auth-plan.ts';
import { type HostKeyVerdict, judgeHostKey, type KnownHosts } from './host-keys.ts';
import { resolveSshHost } from './ssh-config.ts';

export interface JumpOptions {
  knownHosts: KnownHosts;
  timeoutMs: number;
  /** SSH_KEY of robots.env, also used for the jump hosts. */
  keyFile?: string;
  /** false: a first key is trusted for this connection only and not written (doctor changes nothing). */
  pinNewHostKey?: boolean;
  /** Asked before trusting a hop's first key (setup.ts on a terminal), between two connections. */
  confirmNewHostKey?: (where: string, fingerprint: string, type: string) => Promise<boolean>;
}

export function jumpTarget(spec: string) {
  const target = parseSshTarget(spec);
  if (typeof target === 'string') throw new Error(`ProxyJump ${spec} in ~/.ssh/config: ${target}`);
  return target;
}

/** Where a hop's connection is made; `via` opens a fresh stream to it (a socket, or a channel of the previous hop). */
export async function connectJumpHost(spec: string, via: () => Promise<Duplex>, options: JumpOptions): Promise<NodeSSH> {
  const target = jumpTarget(spec);
  const resolved = resolveSshHost(target);
  const username = resolved.user ?? userInfo().username;
  const port = resolved.port ?? 22;
  // Pinned under the name as written in ProxyJump, in known_hosts syntax ([host]:port off port 22).
  const pinName = port === 22 ? target.host : `[${target.host}]:${port}`;
  const where = `jump host ${formatSshTarget({ user: username, host: resolved.host, ...(port === 22 ? {} : { port }) })}`;
  const hop = { where, pinName, host: resolved.host, port, username, identityFiles: resolved.identityFiles };
  let expected: Buffer | undefined;
  for (;;) {
    const sock = await via().catch((error: Error & { code?: string }) => {
      throw new Error(`${where}: ${error.code ?? error.message}. Check ProxyJump ${spec} in ~/.ssh/config`);
    });
    const attempt = await hopHandshake(hop, sock, options, expected);
    if ('ssh' in attempt) return attempt.ssh;
    // The question is asked between two connections, so no handshake timer runs while a person reads.
    if (expected || !options.confirmNewHostKey) throw new Error(`${where}: its first host key could not be confirmed`);
    if (!(await options.confirmNewHostKey(where, attempt.fingerprint, attempt.type)))
      throw new Error(`${where}: host key ${attempt.fingerprint} was not accepted; nothing was pinned.`);
    expected = attempt.key;
  }
}

interface Hop {
  where: string;
  pinName: string;
  host: string;
  port: number;
  username: string;
  identityFiles: string[];
}

type Attempt = { ssh: NodeSSH } | { key: Buffer; fingerprint: string; type: string };

async function hopHandshake(hop: Hop, sock: Duplex, options: JumpOptions, expected?: Buffer): Promise<Attempt> {
  const pins = options.knownHosts.pinned(hop.pinName);
  const agent = await agentForLogin(hop.where, options.keyFile);
  const plan = planAuth({ username: hop.username, keyFile: options.keyFile, configKeys: hop.identityFiles, agent });
  const ssh = new NodeSSH();
  let seen: Buffer | undefined;
  let verdict: HostKeyVerdict | undefined;
  let unconfirmed = false;
  try {
    await ssh.connect({
      sock,
      host: hop.host,
      port: hop.port,
      username: hop.username,
      readyTimeout: options.timeoutMs,
      authHandler: authHandler(plan) as never,
      hostVerifier: (key: Buffer) => {
        seen = key;
        verdict = judgeHostKey(pins, key);
        if (verdict.kind !== 'first-contact') return verdict.kind === 'match';
        if (expected) return expected.equals(key);
        unconfirmed = Boolean(options.confirmNewHostKey);
        return !unconfirmed;
      },
    });
  } catch (error) {
    sock.destroy();
    ssh.dispose();
    if (verdict?.kind === 'first-contact' && unconfirmed && seen)
      return { key: seen, fingerprint: verdict.fingerprint, type: verdict.type };
    if (verdict?.kind === 'first-contact' && expected && !(seen && expected.equals(seen)))
      throw new Error(
        `${hop.where}: the host key changed to ${verdict.fingerprint} while its first key was being confirmed — refusing to connect.`,
      );
    if (verdict && verdict.kind !== 'match' && verdict.kind !== 'first-contact') {
      throw new Error(
        `${hop.where}: HOST KEY ${verdict.kind === 'revoked' ? 'REVOKED' : 'CHANGED'} (${verdict.fingerprint}) — refusing to connect. If it was reinstalled, remove ${hop.pinName} from ${options.knownHosts.file}.`,
      );
    }
    throw new Error(`${hop.where}: ${(error as Error).message}; tried ${plan.tried.join(', ') || 'no key'}`);
  }
  ssh.connection?.on('error', () => undefined);
  if (verdict?.kind === 'first-contact' && options.pinNewHostKey !== false) {
    if (!seen) throw new Error(`${hop.where}: the host key was not seen`);
    try {
      options.knownHosts.pin(hop.pinName, seen);
    } catch (error) {
      ssh.dispose();
      throw error;
    }
  }
  return { ssh };
}
