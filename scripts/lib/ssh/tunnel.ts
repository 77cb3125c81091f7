import { createServer, type Server, type Socket } from 'node:net';
import type { Client } from 'ssh2';
import { chooseLocalPort } from '../net/local-port.ts';

export interface Tunnel {
  /** Laptop port, on 127.0.0.1 only: the registry must never be reachable from the LAN. */
  port: number;
  /** Bytes that went from the laptop to the robot through the tunnel. */
  bytesToRobot(): number;
  /**
   * Runs `work` while the tunnel takes connections. Outside such work (a tunnel opened while the image
   * builds, the seconds around a push) it refuses them: any local process can reach 127.0.0.1.
   */
  use<T>(work: () => Promise<T>): Promise<T>;
  /** Connections refused because nothing was using the tunnel. */
  refused(): number;
  /** False once closed: deploy --watch keeps a tunnel open between redeploys. */
  isOpen(): boolean;
  close(): Promise<void>;
}

/**
 * The post's `ssh -L`, in-process: each local connection becomes a direct-tcpip channel on the
 * robot's existing SSH connection. Owned by this process, so it dies with it — no PID file.
 */
export async function openTunnel(
  connection: Client,
  remotePort: number,
  preferredPort: number,
  platform = process.platform,
): Promise<Tunnel> {
  const sockets = new Set<Socket>();
  let sent = 0;
  let users = 0;
  let refused = 0;
  const server = createServer({ noDelay: true }, (socket) => {
    if (users === 0) {
      refused += 1;
      return void socket.destroy();
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => (sent += chunk.length));
    socket.pause();
    try {
      connection.forwardOut('127.0.0.1', socket.remotePort ?? 0, '127.0.0.1', remotePort, (error, channel) => {
        if (error) return socket.destroy();
        channel.on('error', () => socket.destroy());
        socket.on('close', () => channel.destroy());
        socket.pipe(channel).pipe(socket);
        socket.resume();
      });
    } catch {
      // ssh2 throws "Not connected" synchronously once the connection is gone (Wi-Fi drop, teardown).
      socket.destroy();
    }
  });
  const port = await listenOnFreePort(server, preferredPort, platform);
  return {
    port,
    bytesToRobot: () => sent,
    use: async (work) => {
      users += 1;
      try {
        return await work();
      } finally {
        users -= 1;
      }
    },
    refused: () => refused,
    isOpen: () => server.listening,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** get-port only checks; another process may bind in between, so a lost race picks again. */
async function listenOnFreePort(server: Server, preferred: number, platform: NodeJS.Platform): Promise<number> {
  const lost: number[] = [];
  for (;;) {
    const port = await chooseLocalPort(preferred, platform, lost);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
      return port;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || lost.length >= 5) throw error;
      lost.push(port);
    }
  }
}
