// What a failed TCP connect means, from Node's error code; the SSH connect messages and doctor's probe both read it.
export type SocketFailure = 'dns' | 'refused' | 'no-route';

const BY_CODE: Record<string, SocketFailure> = {
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  ECONNREFUSED: 'refused',
  EHOSTUNREACH: 'no-route',
  ENETUNREACH: 'no-route',
};

/** The words each message starts with. */
export const SOCKET_FAILURE_TEXT: Record<SocketFailure, string> = {
  dns: 'the name does not resolve (DNS)',
  refused: 'connection refused',
  'no-route': 'no route to the robot',
};

export function socketFailure(code: string | undefined): SocketFailure | undefined {
  return code === undefined ? undefined : BY_CODE[code];
}
