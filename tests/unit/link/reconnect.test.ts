import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RobotConfig } from '../../../scripts/lib/config/project-config.ts';
import { withReconnect } from '../../../scripts/lib/link/reconnect.ts';
import { RobotLink } from '../../../scripts/lib/link/robot-link.ts';
import { Teardown } from '../../../scripts/lib/runner/teardown.ts';
import type { RobotConnection } from '../../../scripts/lib/ssh/connect.ts';

const robot = {
  name: 'robot1',
  envPrefix: 'ROBOT1',
  platform: 'linux/amd64',
  registryPort: 5000,
  workspaces: [],
  delta: false,
} as unknown as RobotConfig;

/** A link with no time to reconnect, which a test hands its fake connection. */
function linkTo(connection?: RobotConnection, signal = new AbortController().signal): RobotLink {
  const link = new RobotLink(robot, {
    signal,
    teardown: new Teardown(),
    reconnectSeconds: 0,
    settings: {} as never,
    knownHosts: {} as never,
  });
  if (connection) link.connected(connection.runner, connection);
  return link;
}

/** A connection that `drop()` closes, as ssh2 does when keepalives go unanswered. */
function connection(): RobotConnection & { drop(why: string): void; closes: number } {
  let drop!: (error: Error) => void;
  let closed = false;
  const fake = {
    closes: 0,
    closed: new Promise<Error | undefined>((resolve) => (drop = resolve)),
    isClosed: () => closed,
    close: () => void fake.closes++,
    drop: (why: string) => {
      closed = true;
      drop(new Error(why));
    },
  };
  return fake as unknown as RobotConnection & { drop(why: string): void; closes: number };
}

test("without a connection (a dry run) the attempt runs once, on the run's own signal", async () => {
  const link = linkTo();
  let seen: AbortSignal | undefined;
  assert.equal(
    await withReconnect(
      link,
      'the push',
      async (signal) => {
        seen = signal;
        return 'done';
      },
      () => undefined,
    ),
    'done',
  );
  assert.equal(seen, link.deps.signal);
});

test("a failure while the link is up is the step's own: thrown at once, no reconnect", async () => {
  const link = connection();
  let attempts = 0;
  const reports: string[] = [];
  await assert.rejects(
    withReconnect(
      linkTo(link),
      'the push',
      async () => {
        attempts++;
        throw new Error('denied: registry full');
      },
      (text) => reports.push(text),
    ),
    /registry full/,
  );
  assert.equal(attempts, 1);
  assert.deepEqual(reports, []);
});

test('a dropped link stops the attempt; with no time left to reconnect the step fails saying the image did not change', async () => {
  const link = connection();
  const reports: string[] = [];
  const attempt = (signal: AbortSignal) =>
    new Promise<string>((_, reject) => {
      setTimeout(() => link.drop('keepalive timeout'), 5);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  await assert.rejects(
    withReconnect(linkTo(link), 'the pull of navigation', attempt, (text) => reports.push(text)),
    /the link to robot1 dropped during the pull of navigation and did not come back within 0 s .*the robot's image was not changed/,
  );
  assert.match(reports[0], /link to robot1 lost during the pull of navigation \(keepalive timeout\); reconnecting/);
  assert.ok(link.closes >= 1, 'the dead connection is closed');
});

test('Ctrl-C during an attempt is not mistaken for a dropped link', async () => {
  const link = connection();
  const abort = new AbortController();
  const attempt = (signal: AbortSignal) =>
    new Promise<string>((_, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      setTimeout(() => {
        link.drop('closed by teardown');
        abort.abort(new Error('interrupted by SIGINT'));
      }, 5);
    });
  const reports: string[] = [];
  await assert.rejects(
    withReconnect(linkTo(link, abort.signal), 'the push', attempt, (text) => reports.push(text)),
    /SIGINT|closed by teardown/,
  );
  assert.deepEqual(reports, [], 'no reconnect was tried');
});
