import { connect } from 'node:net';
import { SOCKET_FAILURE_TEXT, socketFailure } from './socket-errors.ts';

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
      const failure = socketFailure(error.code);
      if (failure === 'refused') done(`${SOCKET_FAILURE_TEXT.refused}: nothing listens on the SSH port`);
      else done(failure ? SOCKET_FAILURE_TEXT[failure] : error.message);
    });
  });
}
