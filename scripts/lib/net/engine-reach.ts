// Whether the laptop's Docker engine reaches the laptop's own 127.0.0.1, and speaks plain HTTP there.
// The daemon, not the CLI, performs `docker push`: Docker Desktop, colima and Rancher Desktop run it in
// a VM whose 127.0.0.1 is its own, a remote engine (DOCKER_HOST, a context) is another machine, and
// Podman's Docker-compatible service speaks only HTTPS to a registry it was not told about. Asked of
// the engine itself, not read from its name: it is told to pull from a port only this process listens on.
import { randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { pullImage } from '../commands/local-docker.ts';
import type { Runner } from '../runner/runner.ts';

/** plain-http: `docker push 127.0.0.1:PORT` reaches the tunnel; https-only: it reaches it but asks for TLS; elsewhere: it never arrives. */
export type EngineReach = 'plain-http' | 'https-only' | 'elsewhere';

const TLS_HANDSHAKE = 0x16;
const PROBE_TIMEOUT_MS = 20_000;

export async function probeEngineReach(local: Runner, signal?: AbortSignal): Promise<EngineReach> {
  let reach: EngineReach = 'elsewhere';
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      if (first[0] !== TLS_HANDSHAKE) {
        reach = 'plain-http';
        // A 404 for /v2/ ends the engine's pull at once.
        return void socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      }
      if (reach === 'elsewhere') reach = 'https-only';
      // What a plain-HTTP registry answers a TLS handshake: an engine that may fall back to HTTP for this
      // address (dockerd with the containerd store tries HTTPS first) comes back over HTTP.
      socket.end('HTTP/1.0 400 Bad Request\r\n\r\n');
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
  try {
    const limit = AbortSignal.timeout(PROBE_TIMEOUT_MS);
    await local.run(pullImage(`127.0.0.1:${port}/robot-deploy-reach-probe:${randomBytes(6).toString('hex')}`), {
      signal: signal ? AbortSignal.any([signal, limit]) : limit,
    });
  } finally {
    for (const socket of sockets) socket.destroy();
    server.close();
  }
  return reach;
}
