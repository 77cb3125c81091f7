// Robots reachable only through a jump host or a proxy command, as ~/.ssh/config describes them.
// With a latency relay on its address, the simulated robot's sshd listens on the robot's own
// 127.0.0.1:22 only, which the laptop cannot reach: an alias with `HostName 127.0.0.1` leads to that
// robot only through the hop.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { makeWorkspace } from '../../scripts/dev/sim/harness.ts';
import { simSuiteOptions } from './support/prereqs.ts';
import { imageIdOn, makeProjectDir, runScriptAsync, TEST_IMAGE } from './support/project.ts';
import { useSimFleet } from './support/sim-fleet.ts';

describe('ProxyJump and ProxyCommand from ~/.ssh/config', simSuiteOptions(), () => {
  const fleet = useSimFleet({ names: ['sim1'], links: { sim1: { rttMs: 2 } } });

  test("a robot behind a jump host and one behind a proxy command are deployed; both hops' host keys are pinned and checked", async () => {
    const robot = fleet().robot('sim1');
    const { user, keyPath } = fleet();
    const dir = makeProjectDir();
    await makeWorkspace(dir, { name: 'proxied', baseSizeMiB: 2 });
    const sshConfig = join(mkdtempSync(join(dir, 'home-')), 'ssh_config');
    writeFileSync(
      sshConfig,
      [
        'Host behind',
        '  HostName 127.0.0.1',
        `  ProxyJump ${user}@${robot.address}`,
        'Host piped',
        '  HostName 127.0.0.1',
        `  ProxyCommand ssh -i ${keyPath} -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -W %h:%p ${user}@${robot.address}`,
        'Host *',
        `  User ${user}`,
        '',
      ].join('\n'),
    );
    const envFile = join(dir, 'robots.env');
    writeFileSync(
      envFile,
      [`IMAGE=${TEST_IMAGE}`, 'WORKSPACES=proxied', `SSH_KEY=${keyPath}`, 'BEHIND_HOST=behind', 'PIPED_HOST=piped', ''].join('\n'),
    );
    const env = { RD_SSH_CONFIG: sshConfig };
    const ref = `${TEST_IMAGE}:proxied`;

    const jumped = await runScriptAsync('deploy.ts', ['behind', '--env-file', envFile], env);
    assert.equal(jumped.code, 0, jumped.output);
    assert.match(jumped.output, /^behind\s+deployed\s/m);
    assert.equal(imageIdOn(robot, ref), imageIdOn(undefined, ref), 'the jump led to the robot');
    const robotKey = readFileSync(`${robot.hostKeyPath}.pub`, 'utf8').split(' ')[1];
    const knownHosts = readFileSync(join(dir, 'known_hosts'), 'utf8');
    assert.ok(knownHosts.includes(`${robot.address} ssh-ed25519 ${robotKey}`), `the jump host is pinned:\n${knownHosts}`);
    assert.ok(knownHosts.includes(`behind ssh-ed25519 ${robotKey}`), 'the robot is pinned under its name');

    const piped = await runScriptAsync('deploy.ts', ['piped', '--env-file', envFile, '-v'], env);
    assert.equal(piped.code, 0, piped.output);
    assert.match(piped.output, /^piped\s+up to date\s/m, 'the same robot, reached through ssh -W');
    assert.match(
      piped.output,
      new RegExp(`^\\+ \\[laptop\\] sh -c 'exec ssh .* -W 127\\.0\\.0\\.1:22 ${user}@${robot.address.replace(/\./g, '\\.')}'$`, 'm'),
    );

    // A jump host presenting another key than the pinned one is refused before the robot is reached.
    const stranger = 'AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
    writeFileSync(
      join(dir, 'known_hosts'),
      knownHosts.replace(`${robot.address} ssh-ed25519 ${robotKey}`, `${robot.address} ssh-ed25519 ${stranger}`),
    );
    const refused = await runScriptAsync('status.ts', ['behind', '--env-file', envFile], env);
    assert.equal(refused.code, 1, refused.output);
    assert.match(
      refused.output,
      new RegExp(`behind: unreachable — .*jump host ${user}@${robot.address.replace(/\./g, '\\.')}: HOST KEY CHANGED`),
    );
  });

  test('a jump host on another port: doctor pins nothing, parallel first contacts pin it once as [host]:port, then its key is checked', async (t) => {
    const robot = fleet().robot('sim1');
    const { user, keyPath } = fleet();
    // The jump host on port P of the laptop's loopback: a plain TCP relay to the robot's sshd.
    const relay: Server = createServer((client) => {
      const upstream = connect(22, robot.address);
      client.pipe(upstream).pipe(client);
      const both = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', both);
      upstream.on('error', both);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    t.after(() => relay.close());
    const port = (relay.address() as AddressInfo).port;
    const dir = makeProjectDir();
    await makeWorkspace(dir, { name: 'proxied', baseSizeMiB: 1 });
    const sshConfig = join(mkdtempSync(join(dir, 'home-')), 'ssh_config');
    writeFileSync(
      sshConfig,
      ['Host behind behind2', '  HostName 127.0.0.1', `  ProxyJump ${user}@127.0.0.1:${port}`, 'Host *', `  User ${user}`, ''].join('\n'),
    );
    const envFile = join(dir, 'robots.env');
    writeFileSync(
      envFile,
      [`IMAGE=${TEST_IMAGE}`, 'WORKSPACES=proxied', `SSH_KEY=${keyPath}`, 'BEHIND_HOST=behind', 'BEHIND2_HOST=behind2', ''].join('\n'),
    );
    const env = { RD_SSH_CONFIG: sshConfig };
    const knownHostsFile = join(dir, 'known_hosts');
    const hopKey = readFileSync(`${robot.hostKeyPath}.pub`, 'utf8').split(' ')[1];
    const hopLines = () =>
      (existsSync(knownHostsFile) ? readFileSync(knownHostsFile, 'utf8') : '')
        .split('\n')
        .filter((line) => line.startsWith('[127.0.0.1]:'));

    const doctor = await runScriptAsync('doctor.ts', ['behind', '--env-file', envFile], env);
    assert.match(doctor.output, /^✔ behind\s+authenticated\s/m, doctor.output);
    assert.deepEqual(hopLines(), [], 'doctor pinned nothing, not even the jump host');

    // Both robots are reached at once through the one hop, each meeting its key for the first time.
    const first = await runScriptAsync('status.ts', ['behind', 'behind2', '--env-file', envFile], env);
    assert.equal(first.code, 0, first.output);
    assert.deepEqual(hopLines(), [`[127.0.0.1]:${port} ssh-ed25519 ${hopKey}`], 'pinned once, under [host]:port');
    const again = await runScriptAsync('status.ts', ['behind', '--env-file', envFile], env);
    assert.equal(again.code, 0, again.output);
    assert.equal(hopLines().length, 1, 'the second connection found the pin: no new line');

    const stranger = 'AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
    writeFileSync(knownHostsFile, readFileSync(knownHostsFile, 'utf8').replace(hopKey, stranger));
    const refused = await runScriptAsync('status.ts', ['behind', '--env-file', envFile], env);
    assert.equal(refused.code, 1, refused.output);
    assert.match(refused.output, new RegExp(`jump host ${user}@127\\.0\\.0\\.1:${port}: HOST KEY CHANGED`));
  });
});
