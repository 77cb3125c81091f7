import { DOCKER_DENIED, NO_DOCKER_CLI } from '../commands/robot-docker-access.ts';
import { DOCKER_UNUSABLE, parseRobotHealth, type RobotHealth, robotHealth } from '../commands/robot-health.ts';
import { ROBOT_LOCK_DIR } from '../commands/robot-lock-script.ts';
import type { RobotConfig } from '../config/project-config.ts';
import { platformVerdict } from '../deploy/platform-verdict.ts';
import { tcpProbe } from '../net/tcp-probe.ts';
import { lastLines } from '../runner/runner.ts';
import { connectRobot, type RobotConnection } from '../ssh/connect.ts';
import type { ConnectError } from '../ssh/connect-errors.ts';
import type { HostKeyVerdict, KnownHosts } from '../ssh/host-keys.ts';
import { firstTcpAddress } from '../ssh/proxy.ts';
import { resolveSshHost } from '../ssh/ssh-config.ts';
import type { CheckRow } from './table.ts';

const LOW_DISK = 2e9;

/** What the handshake showed of the host key; nothing when it did not get that far. */
function hostKeyRow(verdict: HostKeyVerdict | undefined): Omit<CheckRow, 'scope'> | undefined {
  if (verdict?.kind === 'match') return { check: 'host key', verdict: 'ok', detail: `${verdict.fingerprint} matches the pinned key` };
  if (verdict?.kind === 'first-contact') {
    return {
      check: 'host key',
      verdict: 'warn',
      detail: `first contact: ${verdict.fingerprint}, not pinned yet`,
      fix: "compare the fingerprint with the robot's (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub there), then run setup.ts or deploy",
    };
  }
  return undefined;
}

export async function diagnoseRobot(robot: RobotConfig, knownHosts: KnownHosts): Promise<CheckRow[]> {
  const row = (check: string, verdict: CheckRow['verdict'], detail: string, fix?: string): CheckRow => ({
    scope: robot.name,
    check,
    verdict,
    detail,
    fix,
  });
  const resolved = resolveSshHost(robot.target);
  // Behind a ProxyJump the laptop reaches the first hop, not the robot's HostName; a ProxyCommand is not probed.
  const [host, port] = firstTcpAddress(resolved) ?? [resolved.host, resolved.port ?? 22];
  const address = `${host}:${port}`;
  const unreachable = firstTcpAddress(resolved) ? await tcpProbe(host, port) : undefined;
  if (unreachable)
    return [
      row(
        'reachable',
        'fail',
        `${address}: ${unreachable}`,
        `check ${robot.envPrefix}_HOST in robots.env, that the robot is on, and that the laptop is on its network`,
      ),
    ];
  const rows = [row('reachable', 'ok', resolved.proxyCommand ? 'through its ProxyCommand (not probed)' : `${address} answers`)];
  let connection: RobotConnection;
  try {
    // Read-only: a first key is checked against nothing and left for deploy or setup to pin.
    connection = await connectRobot(robot, { knownHosts, pinNewHostKey: false });
  } catch (error) {
    const failure = error as ConnectError;
    if (failure.kind === 'host-key-changed' || failure.kind === 'host-key-revoked') {
      return [
        ...rows,
        row(
          'host key',
          'fail',
          failure.message,
          `npx tsx scripts/setup.ts --forget-host ${robot.name} (only if the robot was reinstalled)`,
        ),
      ];
    }
    const key = hostKeyRow(failure.verdict);
    return [
      ...rows,
      ...(key ? [{ scope: robot.name, ...key }] : []),
      row('authenticated', 'fail', failure.message, `npx tsx scripts/setup.ts ${robot.name}`),
    ];
  }
  try {
    const key = hostKeyRow(connection.hostKey);
    if (key) rows.push({ scope: robot.name, ...key });
    rows.push(row('authenticated', 'ok', `as ${resolved.user ?? 'the local user'}`));
    const result = await connection.runner.run(robotHealth());
    const dockerFails = (fix: string) => [...rows, row('docker usable', 'fail', lastLines(result.stderr, 1), fix)];
    if (result.code === NO_DOCKER_CLI) return dockerFails(`install Docker, or set ${robot.envPrefix}_DOCKER in robots.env`);
    if (result.code === DOCKER_DENIED) return dockerFails('sudo usermod -aG docker <user> on the robot');
    if (result.code === DOCKER_UNUSABLE || result.code !== 0)
      return dockerFails('install Docker on the robot and add the SSH user to the docker group: sudo usermod -aG docker $USER');
    const health = parseRobotHealth(result.stdout);
    const via = health.access ? ` (${health.access.cli}${health.access.sudo ? ', through sudo -n' : ''})` : '';
    rows.push(row('docker usable', 'ok', `Docker ${health.docker?.version} ${health.docker?.platform}${via}`));
    rows.push(
      row(
        'image store',
        'ok',
        health.store === 'containerd' ? 'containerd (image IDs are manifest digests)' : 'classic (image IDs are config digests)',
      ),
    );
    const platform = { platform: health.docker?.platform ?? 'unknown', emulates: health.emulates };
    const verdict = platformVerdict(robot.platform, platform);
    rows.push(
      verdict === 'native'
        ? row('platform', 'ok', `${robot.platform} matches the engine`)
        : verdict === 'emulated'
          ? row(
              'platform',
              'warn',
              `configured ${robot.platform}, engine is ${platform.platform}: images run under qemu emulation`,
              'nothing, if this robot is meant to emulate; else fix the platform',
            )
          : row(
              'platform',
              'fail',
              `configured ${robot.platform}, engine is ${platform.platform}`,
              `set ${robot.envPrefix}_PLATFORM=${platform.platform} in robots.env`,
            ),
    );
    rows.push(
      health.registryImage
        ? row('registry image', 'ok', 'registry:2 present')
        : row(
            'registry image',
            'warn',
            'registry:2 missing: the next deploy carries it over SSH from the laptop',
            'nothing, or `docker pull registry:2` on the laptop while online',
          ),
    );
    const exposed = health.registryBinds.filter((b) => !b.startsWith('127.0.0.1:') && !b.startsWith('[::1]:'));
    if (!exposed.length && health.registryPublished) {
      rows.push(
        row(
          'registry',
          'warn',
          `published with -p on ${health.registryBinds.join(', ')}: Docker before 28 lets the LAN reach it (moby/moby#45610)`,
          "nothing: the next deploy recreates it on the robot's own 127.0.0.1, layers kept",
        ),
      );
    } else if (exposed.length)
      rows.push(
        row(
          'registry',
          'fail',
          `published on ${exposed.join(', ')}: reachable from the LAN`,
          "deploy again: it recreates the registry on the robot's own 127.0.0.1, layers kept",
        ),
      );
    else
      rows.push(
        row(
          'registry',
          'ok',
          health.registryState === 'running'
            ? `running on ${health.registryBinds.join(', ')}`
            : `${health.registryState} (the next deploy starts it)`,
        ),
      );
    const free = health.diskFreeBytes;
    rows.push(
      free === undefined
        ? row('free disk', 'warn', 'could not read', 'check `df -h` on the robot')
        : row(
            'free disk',
            free < LOW_DISK ? 'warn' : 'ok',
            `${(free / 1e9).toFixed(1)} GB free for docker`,
            `npx tsx scripts/prune.ts ${robot.name}`,
          ),
    );
    rows.push(lockRow(health.lockDir, row));
    return rows;
  } finally {
    connection.close();
  }
}

/** Where deploys, rollbacks and prunes on this robot take turns (commands/robot-lock-script.ts). */
function lockRow(
  lockDir: RobotHealth['lockDir'],
  row: (check: string, verdict: CheckRow['verdict'], detail: string, fix?: string) => CheckRow,
): CheckRow {
  if (lockDir === 'shared') return row('robot lock', 'ok', `${ROBOT_LOCK_DIR}: every deploying account takes the same lock`);
  if (lockDir === 'makeable') return row('robot lock', 'ok', `${ROBOT_LOCK_DIR} is made by the first deploy (root, or passwordless sudo)`);
  return row(
    'robot lock',
    'warn',
    `no ${ROBOT_LOCK_DIR}, and this account may not make it: it locks in its own home, so teammates who log in as other accounts do not wait for each other`,
    `sudo install -d -m 2770 -g docker ${ROBOT_LOCK_DIR} (once, on the robot)`,
  );
}
