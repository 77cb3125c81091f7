// Whether the user's ssh-agent answers, asked before a login: like OpenSSH, an agent that cannot be reached
// is skipped and the keys are tried next. ssh2 would report it as the connection's error, which ends a node-ssh login.
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import ssh2, { type ParsedKey } from 'ssh2';
import { traceNote } from '../cli/output.ts';
import { agentPath } from './user-ssh-defaults.ts';

/** No agent configured, one that answered with its keys, or one that could not be reached, with why. */
export type AgentState = undefined | { path: string; keys: ParsedKey[] } | { path: string; unreachable: string };

/** An agent slower than this to list its keys is taken as absent (a hung agent must not hang every login). */
const AGENT_TIMEOUT_MS = 2000;

export async function probeAgent(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  timeoutMs = AGENT_TIMEOUT_MS,
): Promise<AgentState> {
  const path = agentPath(env, platform);
  if (!path) return undefined;
  try {
    return { path, keys: await agentKeys(path, timeoutMs) };
  } catch (error) {
    return { path, unreachable: (error as Error).message };
  }
}

/** The agent for a login without SSH_KEY (SSH_KEY means that key alone); -v says when it is skipped. */
export async function agentForLogin(where: string, keyFile: string | undefined): Promise<AgentState> {
  if (keyFile) return undefined;
  const agent = await probeAgent();
  if (agent && 'unreachable' in agent) traceNote(where, `ssh-agent skipped: ${agent.unreachable}; trying the keys, as OpenSSH does`);
  return agent;
}

/** The keys an agent holds; rejects with a short reason when it cannot be reached or does not answer in time. */
export function agentKeys(path: string, timeoutMs = AGENT_TIMEOUT_MS): Promise<ParsedKey[]> {
  const agent = ssh2.createAgent(path);
  return new Promise((resolve, reject) => {
    let stream: Duplex | undefined;
    const timer = setTimeout(() => settle(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    const settle = (error: Error | undefined, keys?: ParsedKey[]) => {
      clearTimeout(timer);
      stream?.destroy();
      if (error) reject(error);
      else resolve(keys ?? []);
    };
    if (!(agent instanceof ssh2.OpenSSHAgent)) {
      agent.getIdentities((error, keys) => settle(error ?? undefined, keys as ParsedKey[]));
      return;
    }
    // Our own connection: ssh2 says only "Failed to connect to agent", and keeps no handle to close on a time-out.
    const socket = connect(path);
    stream = socket;
    socket.once('error', (error: NodeJS.ErrnoException) => settle(new Error(socketReason(error, path))));
    socket.once('connect', () => {
      const protocol = new ssh2.AgentProtocol(true);
      protocol.once('error', (error: Error) => settle(error));
      socket.pipe(protocol).pipe(socket);
      protocol.getIdentities((error, keys) => settle(error ?? undefined, keys as ParsedKey[]));
    });
  });
}

function socketReason(error: NodeJS.ErrnoException, path: string): string {
  if (error.code === 'ENOENT')
    return path.startsWith('\\\\.\\pipe\\') ? `no pipe ${path}: the agent is not running` : `no socket ${path} (a stale SSH_AUTH_SOCK?)`;
  if (error.code === 'ECONNREFUSED') return `nothing listens on ${path} (a stale SSH_AUTH_SOCK?)`;
  return `${error.code ?? error.message} on ${path}`;
}
