// A Wi-Fi-like delay line between the laptop and a simulated robot's sshd, run inside the robot's
// network namespace (netem is not in this kernel). Bandwidth stays with tc tbf and loss with
// iptables' statistic match, both in the kernel; this adds what the kernel here cannot: latency
// and jitter. Each direction delays every chunk by RTT/2 ± jitter without reordering the stream,
// and a new connection waits one RTT before its first byte, as TCP's handshake would.
//   usage: node --import tsx link-relay.ts LISTEN_HOST LISTEN_PORT TARGET_PORT RTT_MS JITTER_MS
import { connect, createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Enough for 100 Mbit/s over 100 ms; more than that in flight pauses the sender (TCP backpressure). */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

export interface DelayShape {
  rttMs: number;
  jitterMs: number;
}

/** When a chunk arriving now leaves: one-way delay ± jitter, never before the chunk ahead of it. */
export function departureTime(now: number, previous: number, shape: DelayShape, random = Math.random): number {
  const jitter = (random() * 2 - 1) * shape.jitterMs;
  return Math.max(previous, now + Math.max(0, shape.rttMs / 2 + jitter));
}

/** One FIFO per direction, drained by a single timer: separate timers could fire out of order. */
function delayedPipe(from: Socket, to: Socket, shape: DelayShape): void {
  const queue: { due: number; chunk?: Buffer; close?: boolean; hadError?: boolean }[] = [];
  let last = 0;
  let queued = 0;
  let _timer: NodeJS.Timeout | undefined;
  const full = () => queued + to.writableLength > MAX_QUEUED_BYTES;
  const resumeIfRoom = () => {
    if (from.isPaused() && !full()) from.resume();
  };
  const drain = () => {
    _timer = undefined;
    while (queue.length && queue[0]!.due <= Date.now()) {
      const item = queue.shift()!;
      if (item.chunk) {
        queued -= item.chunk.length;
        if (!to.destroyed) to.write(item.chunk);
      } else if (item.hadError) to.destroy();
      else to.end();
    }
    resumeIfRoom();
    if (queue.length) _timer = setTimeout(drain, queue[0]!.due - Date.now());
  };
  const push = (item: Omit<(typeof queue)[number], 'due'>) => {
    last = departureTime(Date.now(), last, shape);
    queue.push({ due: last, ...item });
    _timer ??= setTimeout(drain, last - Date.now());
  };
  from.on('data', (chunk: Buffer) => {
    queued += chunk.length;
    if (full()) from.pause();
    push({ chunk });
  });
  to.on('drain', resumeIfRoom);
  from.on('error', () => undefined);
  // A clean close ends the other side once the data ahead of it has left; a reset resets it.
  from.on('close', (hadError) => push({ close: true, hadError }));
}

export function startRelay(listenHost: string, listenPort: number, targetPort: number, shape: DelayShape): Promise<void> {
  const server = createServer({ pauseOnConnect: true, noDelay: true }, (laptop) => {
    laptop.on('error', () => laptop.destroy());
    setTimeout(() => {
      const robot = connect({ host: '127.0.0.1', port: targetPort, noDelay: true });
      robot.on('error', () => {
        robot.destroy();
        laptop.destroy();
      });
      robot.once('connect', () => {
        delayedPipe(laptop, robot, shape);
        delayedPipe(robot, laptop, shape);
        laptop.resume();
      });
    }, shape.rttMs);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, listenHost, () => resolve());
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [host, port, target, rtt, jitter] = process.argv.slice(2);
  startRelay(host!, Number(port), Number(target), { rttMs: Number(rtt), jitterMs: Number(jitter) })
    .then(() => console.log(`relay ${host}:${port} -> 127.0.0.1:${target}, rtt ${rtt} ms ± ${jitter} ms`))
    .catch((error: Error) => {
      console.error(`relay failed: ${error.message}`);
      process.exit(1);
    });
}
