// The robot's lock held for as long as an operation spans several commands: a deploy holds it shared
// from the registry step to the pull & tag (so prune never garbage-collects under its push), prune
// holds it exclusively. A session on the robot keeps the lock's file descriptor open while the laptop
// keeps sending it a heartbeat. sshd notices a laptop that slept or left Wi-Fi range only after TCP
// keepalive (about 2 h by default, and ClientAlive settings are the robot admin's), so the session
// watches the heartbeat itself: a laptop silent for LOCK_SILENCE_SECONDS loses the lock.
import type { Client } from 'ssh2';
import { holdLock, ROBOT_LOCK_BUSY, ROBOT_LOCK_UNUSABLE, ROBOT_LOCK_WAIT_SECONDS } from '../commands/robot-lock-script.ts';
import { lastLines } from '../runner/runner.ts';
import { joinPosix } from '../shell/posix-quote.ts';

export interface RobotLock {
  mode: LockMode;
  release(): void;
}

export type LockMode = 'shared' | 'exclusive';

/** The laptop writes one byte this often on the holding session. */
export const LOCK_HEARTBEAT_SECONDS = 5;
/**
 * A holder that hears nothing for this long ends, and the lock is free: below the
 * ROBOT_LOCK_WAIT_SECONDS a waiting rollback or prune waits, and far above the few seconds a
 * heartbeat can queue behind push data on a slow link (a few channel windows of 2 MB).
 */
export const LOCK_SILENCE_SECONDS = 90;

export function holdRobotLock(client: Client, robot: string, mode: LockMode): Promise<RobotLock> {
  const command = joinPosix(holdLock(mode === 'shared' ? '-s' : '-x', LOCK_SILENCE_SECONDS));
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => {
      if (error) return reject(error);
      let settled = false;
      let output = '';
      let stderr = '';
      let heartbeat: NodeJS.Timeout | undefined;
      const release = () => {
        clearInterval(heartbeat);
        channel.end();
        channel.close();
      };
      channel.on('error', () => undefined);
      channel.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      channel.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (!settled && /^locked$/m.test(output)) {
          settled = true;
          heartbeat = setInterval(() => channel.write('.'), LOCK_HEARTBEAT_SECONDS * 1000);
          heartbeat.unref();
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
              : code === ROBOT_LOCK_UNUSABLE
                ? `${robot}: ${lastLines(stderr, 1)}`
                : `could not take ${robot}'s lock (exit ${code}): ${lastLines(stderr, 1)}`,
          ),
        );
      });
      channel.on('close', () => {
        clearInterval(heartbeat);
        if (!settled) {
          settled = true;
          reject(new Error(`the connection to ${robot} closed while taking its lock`));
        }
      });
    });
  });
}
