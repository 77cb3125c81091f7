import type { Duplex } from 'node:stream';
import { type LinkPolicy, silenceLimitMs } from '../config/link-policy.ts';

/**
 * Any byte from the robot counts as life. ssh2's own keepalive only resets on replies, which at
 * 2 Mbit/s queue behind megabytes of push data; the robot's window adjustments keep arriving, so
 * a link that moves data is never condemned. The keepalive requests ssh2 sends every interval
 * make an idle link answer.
 */
export function watchSilence(socket: Duplex, policy: LinkPolicy, onSilent: (error: Error) => void): void {
  const limitMs = silenceLimitMs(policy);
  let heard = Date.now();
  socket.on('data', () => (heard = Date.now()));
  const timer = setInterval(
    () => {
      if (Date.now() - heard < limitMs) return;
      clearInterval(timer);
      onSilent(new Error(`nothing arrived from the robot for ${Math.round(limitMs / 1000)} s (ALIVE_INTERVAL_SECONDS × ALIVE_COUNT_MAX)`));
    },
    Math.min(1000, limitMs / 4),
  );
  timer.unref();
  socket.once('close', () => clearInterval(timer));
}
