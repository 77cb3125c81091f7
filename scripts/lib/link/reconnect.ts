import type { RobotLink } from './robot-link.ts';

/**
 * Runs one attempt of a step that needs the link (registry hand-over, push, pull). When the SSH
 * connection drops (nothing heard from the robot for ALIVE_INTERVAL_SECONDS × ALIVE_COUNT_MAX),
 * the attempt is stopped, the link reopened (connection, lock, tunnel), and the attempt runs
 * again — the registry keeps the layers that were finished. Each outage gets RECONNECT_SECONDS
 * of its own; after that the step fails, and the robot's IMAGE:WS has not moved, since tags only
 * move after a complete pull.
 */
export async function withReconnect<T>(
  link: RobotLink,
  what: string,
  attempt: (signal: AbortSignal) => Promise<T>,
  report: (text: string) => void,
): Promise<T> {
  const { signal, reconnectSeconds } = link.deps;
  for (;;) {
    const closed = link.closed;
    if (!closed) return attempt(signal);
    const lost = new AbortController();
    void closed.then(() => lost.abort(new Error('SSH connection lost')));
    try {
      return await attempt(AbortSignal.any([signal, lost.signal]));
    } catch (error) {
      if (signal.aborted || link.isOpen()) throw error;
      const why = (await closed)?.message;
      report(`link to ${link.robot.name} lost during ${what}${why ? ` (${why})` : ''}; reconnecting (up to ${reconnectSeconds} s)`);
      await reconnect(link, Date.now() + reconnectSeconds * 1000, what);
      report(`reconnected to ${link.robot.name}; resuming ${what}`);
    }
  }
}

/** Tries again every second until the deadline; deploy --watch reopens a dropped link between saves the same way. */
export async function reconnect(link: RobotLink, deadline: number, what: string): Promise<void> {
  let lastError = 'no attempt';
  await link.drop();
  while (Date.now() < deadline) {
    link.deps.signal.throwIfAborted();
    try {
      return await link.reopen(deadline - Date.now());
    } catch (error) {
      lastError = (error as Error).message;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  throw new Error(
    `the link to ${link.robot.name} dropped during ${what} and did not come back within ${link.deps.reconnectSeconds} s (last attempt: ${lastError}); the robot's image was not changed`,
  );
}
