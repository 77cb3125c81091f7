import { connect, type Socket } from 'node:net';

/**
 * The TCP connection under an SSH session, opened by us so the liveness watch can see every byte.
 * Errors keep their codes (ENOTFOUND, ECONNREFUSED, EHOSTUNREACH) for the connect messages.
 * Nagle is off: a registry push is many small HTTP exchanges, each of which would otherwise wait
 * ~40 ms for a delayed ACK.
 */
export function openSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(Object.assign(new Error(`TCP connect to ${host}:${port} timed out`), { code: 'ETIMEDOUT' })),
      timeoutMs,
    );
    socket.once('error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      resolve(socket);
    });
  });
}
