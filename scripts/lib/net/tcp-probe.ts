import { connect } from 'node:net';

/** Can a TCP connection be opened? Resolves with undefined on success, else the reason. */
export function tcpProbe(host: string, port: number, timeoutMs = 5000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (reason?: string) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${Math.round(timeoutMs / 1000)} s`));
    socket.once('connect', () => done());
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const reasons: Record<string, string> = {
        ENOTFOUND: 'the name does not resolve (DNS)',
        EAI_AGAIN: 'the name does not resolve (DNS)',
        ECONNREFUSED: 'connection refused: nothing listens on the SSH port',
        EHOSTUNREACH: 'no route to the robot',
        ENETUNREACH: 'no route to the robot',
      };
      done(reasons[error.code ?? ''] ?? error.message);
    });
  });
}
