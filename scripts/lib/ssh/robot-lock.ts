// The robot's lock held for as long as an operation spans several commands: a deploy holds it shared
// from the registry step to the pull & tag (so prune never garbage-collects under its push), prune
// holds it exclusively. A session on the robot keeps the lock's file descriptor open in `cat` until
// the laptop ends the channel, or the connection drops, which ends the session and frees the lock.
import type { Client } from 'ssh2';
import { ROBOT_LOCK, ROBOT_LOCK_BUSY, ROBOT_LOCK_WAIT_SECONDS } from '../commands/robot-lock-script.ts';
import { joinPosix } from '../shell/posix-quote.ts';

export interface RobotLock {
  mode: LockMode;
  release(): void;
}

export type LockMode = 'shared' | 'exclusive';

// The same robot_lock the one-shot scripts take; `cat` then keeps its descriptor open until the channel ends.
const HOLD_SCRIPT = `${ROBOT_LOCK}
robot_lock "$1"
echo locked
exec cat >/dev/null`;

export function holdRobotLock(client: Client, robot: string, mode: LockMode): Promise<RobotLock> {
  const command = joinPosix(['sh', '-c', HOLD_SCRIPT, 'robot-lock', mode === 'shared' ? '-s' : '-x']);
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => {
      if (error) return reject(error);
      let settled = false;
      let output = '';
      const release = () => {
        channel.end();
        channel.close();
      };
      channel.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (!settled && /^locked$/m.test(output)) {
          settled = true;
          resolve({ mode, release });
        }
      });
      channel.on('exit', (code: number | null) => {
        if (settled) return;
        settled = true;
        reject(
          new Error(
            code === ROBOT_LOCK_BUSY
              ? `another deploy, rollback or prune on ${robot} held its lock for over ${ROBOT_LOCK_WAIT_SECONDS} s; try again when it is done`
              : `could not take ${robot}'s lock (exit ${code})`,
          ),
        );
      });
      channel.on('close', () => {
        if (!settled) {
          settled = true;
          reject(new Error(`the connection to ${robot} closed while taking its lock`));
        }
      });
    });
  });
}
