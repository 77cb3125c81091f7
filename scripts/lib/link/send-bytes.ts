// Bytes to a robot command's stdin on an SSH channel of its own, bounded by a deadline that grows with
// the bytes: the delta's literal batches and the link probe travel this way.
import type { ClientChannel } from 'ssh2';
import { lastLines } from '../runner/runner.ts';
import { joinPosix } from '../shell/posix-quote.ts';
import type { RobotLink } from './robot-link.ts';

/**
 * Runs a robot command with binary stdin on its own SSH channel; resolves when it exits 0. The
 * signal and a deadline are watched from the start: a link cut before the channel opens would
 * otherwise leave the exec waiting for ever.
 */
export function sendBytes(link: RobotLink, argv: string[], data: Buffer, signal: AbortSignal): Promise<void> {
  const client = link.client;
  const seconds = link.deps.settings.robotTimeoutSeconds + Math.ceil(data.length / 25_000);
  return new Promise((resolve, reject) => {
    signal.throwIfAborted();
    let channel: ClientChannel | undefined;
    let settled = false;
    const done = (outcome?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
      channel?.destroy();
      if (outcome) reject(outcome);
      else resolve();
    };
    const abort = () => done(signal.reason as Error);
    const timer = setTimeout(
      () => done(new Error(`sending literals to ${link.robot.name} made no progress for ${seconds} s`)),
      (seconds + 10) * 1000,
    );
    signal.addEventListener('abort', abort, { once: true });
    client.exec(joinPosix(['timeout', '-k', '5', String(seconds), ...argv]), (error, opened: ClientChannel) => {
      if (error) return done(error);
      if (settled) return void opened.destroy();
      channel = opened;
      let stderr = '';
      opened.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      opened.on('exit', (code: number | null) =>
        done(code === 0 ? undefined : new Error(`sending literals to ${link.robot.name} failed (exit ${code}): ${lastLines(stderr, 1)}`)),
      );
      opened.on('close', () => done(new Error(`sending literals to ${link.robot.name} was cut off`)));
      opened.end(data);
    });
  });
}
