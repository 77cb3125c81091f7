// OpenSSH command lines for the baselines: the plain `ssh` a user of the post would type.
import { joinPosix } from '../../lib/shell/posix-quote.ts';
import type { SimFleet, SimRobot } from '../sim/harness.ts';

/**
 * `ssh -i KEY -o UserKnownHostsFile=… user@robot [remote command]`. -F /dev/null keeps a
 * ControlMaster in root's ~/.ssh/config from quietly reusing connections the post's flow
 * would open afresh; the fleet's known_hosts is keyed by robot address, so we connect by address.
 */
export function sshArgv(fleet: SimFleet, robot: SimRobot, remote?: string, options: string[] = []): string[] {
  return [
    'ssh',
    '-F',
    '/dev/null',
    '-i',
    fleet.keyPath,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    `UserKnownHostsFile=${fleet.knownHostsPath}`,
    '-o',
    'StrictHostKeyChecking=yes',
    ...options,
    `${fleet.user}@${robot.address}`,
    ...(remote === undefined ? [] : [remote]),
  ];
}

// ssh has no argv transport: it hands the robot's login shell one command line. Each word is
// quoted by joinPosix, so only the && / || between whole commands is shell syntax.
export function remoteBoth(first: string[], second: string[]): string {
  return `${joinPosix(first)} && ${joinPosix(second)}`;
}

export function remoteEither(first: string[], second: string[]): string {
  return `${joinPosix(first)} || ${joinPosix(second)}`;
}

export function remoteCommand(argv: string[]): string {
  return joinPosix(argv);
}
