import type { Duplex } from 'node:stream';
import type { NodeSSH } from 'node-ssh';
import type { ClientChannel } from 'ssh2';
import { connectJumpHost, type JumpOptions, jumpTarget } from './jump-host.ts';
import { openSocket } from './open-socket.ts';
import { openProxyCommand, type Transport } from './proxy-command.ts';
import { type ResolvedHost, resolveSshHost } from './ssh-config.ts';

export type { Transport };
export type TransportOptions = JumpOptions;

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
    const hopSpecs = resolved.proxyJump;
    // Each hop is reached directly (the first) or through a channel of the one before it.
    let via = async (): Promise<Duplex> => {
      const [host, hopPort] = hopAddress(hopSpecs[0]);
      return openSocket(host, hopPort, options.timeoutMs);
    };
    for (const [index, spec] of hopSpecs.entries()) {
      const hop = await connectJumpHost(spec, via, options);
      hops.push(hop);
      const [host, hopPort] = index + 1 < hopSpecs.length ? hopAddress(hopSpecs[index + 1]) : [resolved.host, port];
      via = () => forward(hop, host, hopPort, spec);
    }
    return { sock: await via(), close: closeAll };
  } catch (error) {
    closeAll();
    throw error;
  }
}

/** Where the laptop's own TCP connection goes (the first jump host, if any); none for a ProxyCommand. */
export function firstTcpAddress(resolved: ResolvedHost): [string, number] | undefined {
  if (resolved.proxyCommand) return undefined;
  const [hop] = resolved.proxyJump ?? [];
  return hop ? hopAddress(hop) : [resolved.host, resolved.port ?? 22];
}

function hopAddress(spec: string): [string, number] {
  const resolved = resolveSshHost(jumpTarget(spec));
  return [resolved.host, resolved.port ?? 22];
}

function forward(hop: NodeSSH, host: string, port: number, spec: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    if (!hop.connection) return reject(new Error(`jump host ${spec} is not connected`));
    hop.connection.forwardOut('127.0.0.1', 0, host, port, (error, channel) =>
      error ? reject(new Error(`jump host ${spec} could not reach ${host}:${port}: ${error.message}`)) : resolve(channel),
    );
  });
}
