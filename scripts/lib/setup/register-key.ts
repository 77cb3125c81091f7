import { addAuthorizedKey } from '../commands/robot-keys.ts';
import type { RobotConfig } from '../config/project-config.ts';
import { formatSshTarget } from '../config/ssh-target.ts';
import { sshPasswordFromEnvironment } from '../entry/main.ts';
import { runChecked } from '../runner/runner.ts';
import { type ConnectOptions, connectRobot } from '../ssh/connect.ts';
import { ConnectError } from '../ssh/connect-errors.ts';
import type { KnownHosts } from '../ssh/host-keys.ts';
import { askHidden, canPrompt, confirmHostKey } from './prompt.ts';
import type { UserKey } from './user-key.ts';

export type StepReport = { state: 'done' | 'already done' | 'skipped' | 'failed'; detail: string };

/**
 * ssh-copy-id without bash: log in once with the password and append the key idempotently.
 * `acceptNewHostKey` (--accept-new-host-key) lets a run without a terminal send the password to a
 * robot whose host key nobody has confirmed yet.
 */
export async function registerKey(robot: RobotConfig, key: UserKey, knownHosts: KnownHosts, acceptNewHostKey = false): Promise<StepReport> {
  const withKey: RobotConfig = { ...robot, sshKey: key.source === 'file' ? key.path : undefined };
  // One question per fingerprint, though the key login and the password login each meet the new key.
  const answers = new Map<string, Promise<boolean>>();
  const ask = (fp: string, type: string): Promise<boolean> => {
    const answer = answers.get(fp) ?? confirmHostKey(robot.name, formatSshTarget(robot.target), fp, type);
    answers.set(fp, answer);
    return answer;
  };
  // A jump host is a host of its own: its key is asked about under its name, even if the robot shows the same key.
  const askHop = (where: string, fp: string, type: string): Promise<boolean> => {
    const answer = answers.get(`${where} ${fp}`) ?? confirmHostKey(where, `on the way to ${robot.name}`, fp, type);
    answers.set(`${where} ${fp}`, answer);
    return answer;
  };
  const base: ConnectOptions = {
    knownHosts,
    confirmNewHostKey: canPrompt() ? ask : undefined,
    confirmNewJumpHostKey: canPrompt() ? askHop : undefined,
    passwordToNewHostKey: acceptNewHostKey,
  };
  try {
    (await connectRobot(withKey, base)).close();
    return { state: 'already done', detail: `${robot.name} accepts your key` };
  } catch (error) {
    if (!(error instanceof ConnectError) || error.kind !== 'auth') throw error;
  }
  const password =
    sshPasswordFromEnvironment() ??
    (canPrompt() ? await askHidden(`${formatSshTarget(robot.target)}'s password (used once, to add your key): `) : undefined);
  if (password === undefined) {
    return {
      state: 'skipped',
      detail: `${robot.name} does not accept your key yet and there is no password: run on a terminal or set RD_SSH_PASSWORD`,
    };
  }
  const session = await connectRobot(robot, { ...base, password, passwordOnly: true }).catch((error: Error) => {
    // The generic auth message tells you to run setup.ts, which is what is running.
    if (error instanceof ConnectError && error.kind === 'auth') {
      throw new Error(
        `${robot.name} (${formatSshTarget(robot.target)}) did not accept the password; your key was not added. Check RD_SSH_PASSWORD (or the password typed) and the user in ${robot.envPrefix}_HOST`,
      );
    }
    throw error;
  });
  let outcome: string;
  try {
    outcome = (
      await runChecked(session.runner, addAuthorizedKey(key.publicKey), 'adding your key to ~/.ssh/authorized_keys')
    ).stdout.trim();
  } finally {
    session.close();
  }
  (await connectRobot(withKey, base)).close();
  return {
    state: outcome === 'already' ? 'already done' : 'done',
    detail: `${key.publicKey.split(' ')[0]} key ${outcome === 'already' ? 'was already' : 'is now'} in ${robot.name}'s authorized_keys; key login verified`,
  };
}
