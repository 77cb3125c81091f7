import type { RobotConfig } from '../config/project-config.ts';
import { SOCKET_FAILURE_TEXT as SAYS, socketFailure } from '../net/socket-errors.ts';
import type { HostKeyVerdict } from './host-keys.ts';

export type ConnectFailure =
  | 'host-key-changed'
  | 'host-key-revoked'
  | 'host-key-declined'
  | 'host-key-unconfirmed'
  | 'known-hosts'
  | 'dns'
  | 'refused'
  | 'no-route'
  | 'timeout'
  | 'auth'
  | 'other';

export class ConnectError extends Error {
  constructor(
    readonly kind: ConnectFailure,
    message: string,
    /** What the robot's host key was judged, when the handshake got that far. */
    readonly verdict?: HostKeyVerdict,
  ) {
    super(message);
    this.name = 'ConnectError';
  }
}

export interface ConnectFacts {
  robot: string;
  address: string;
  timeoutMs: number;
  tried: string[];
  skipped: string[];
  verdict?: HostKeyVerdict;
}

/** Turns ssh2/socket errors into one sentence naming the robot, the address and what to do. */
export function explainConnectError(error: Error & { code?: string; level?: string }, facts: ConnectFacts): ConnectError {
  const at = `${facts.robot} (${facts.address})`;
  if (facts.verdict?.kind === 'revoked') {
    return new ConnectError(
      'host-key-revoked',
      `${at}: host key ${facts.verdict.fingerprint} is marked @revoked in known_hosts — refusing to connect.`,
      facts.verdict,
    );
  }
  if (facts.verdict?.kind === 'changed') {
    return new ConnectError(
      'host-key-changed',
      `${at}: HOST KEY CHANGED — refusing to connect. It now presents ${facts.verdict.fingerprint}, ` +
        `but ${facts.verdict.pinnedFingerprints.join(' or ')} is pinned. If the robot was reinstalled, run ` +
        `\`npx tsx scripts/setup.ts --forget-host ${facts.robot}\` and connect again; otherwise someone may be impersonating it.`,
      facts.verdict,
    );
  }
  const code = error.code ?? '';
  const failure = socketFailure(code);
  if (failure === 'dns')
    return new ConnectError('dns', `${at}: ${SAYS.dns}. Check the robot's _HOST line in robots.env or use its IP address.`);
  if (failure === 'refused')
    return new ConnectError(
      'refused',
      `${at}: ${SAYS.refused} — the robot answers but no SSH server listens there. Start sshd on the robot or fix the port.`,
    );
  if (failure === 'no-route') return new ConnectError('no-route', `${at}: ${SAYS['no-route']}. Is the laptop on the robot's network?`);
  if (error.level === 'client-timeout' || code === 'ETIMEDOUT') {
    return new ConnectError(
      'timeout',
      `${at}: no SSH answer within ${Math.round(facts.timeoutMs / 1000)} s — robot off, wrong address, or Wi-Fi down.`,
    );
  }
  if (error.level === 'client-authentication' || /authentication methods failed/i.test(error.message)) {
    const tried = facts.tried.length ? facts.tried.join(', ') : 'no usable key (none found)';
    const skipped = facts.skipped.length ? `; skipped ${facts.skipped.join(', ')}` : '';
    return new ConnectError(
      'auth',
      `${at}: authentication failed; tried ${tried}${skipped}. Register your key with \`npx tsx scripts/setup.ts ${facts.robot}\`.`,
      facts.verdict,
    );
  }
  return new ConnectError('other', `${at}: ${error.message}`, facts.verdict);
}

/** Why a first-contact host key was not taken without asking: a prompt follows, or nobody can be asked. */
export function unconfirmedMessage(robot: Pick<RobotConfig, 'name'>, verdict: HostKeyVerdict, willAsk: boolean): string {
  if (willAsk) return `${robot.name}: first contact, host key ${verdict.fingerprint} to be confirmed`;
  return (
    `${robot.name}: first contact, host key ${verdict.fingerprint}; the password is not sent to a host key nobody has verified. ` +
    'Run setup on a terminal to compare the fingerprint, or pass --accept-new-host-key if this network is trusted.'
  );
}
