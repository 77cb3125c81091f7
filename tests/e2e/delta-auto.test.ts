// DELTA=auto as a team at a competition would meet it: an arm64 robot (a Jetson, here an amd64 engine
// running arm64 through qemu) on slow, lossy Wi-Fi. The first push measures the link; the rebuild then
// goes by delta because the estimate says so, and lands the laptop's arm64 image bit for bit.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ARM64_BUSYBOX_IMAGE, importArm64Base } from '../../scripts/dev/sim/harness.ts';
import { FINGERPRINT_FORMAT } from '../../scripts/lib/commands/image-identity.ts';
import { tempDir } from '../support/cli.ts';
import { makeInstallTree, ref, sentBytes, WS } from './support/install-tree.ts';
import { simSuiteOptions } from './support/prereqs.ts';
import { dockerOn, laptopDocker, makeProjectDir, runScriptAsync, writeProjectEnv } from './support/project.ts';
import { useSimFleet } from './support/sim-fleet.ts';

describe('DELTA=auto to an arm64 robot over 4 Mbit/s with 50 ms RTT and 1 % loss', simSuiteOptions(), () => {
  const fleet = useSimFleet({
    names: ['jetson'],
    engine: 'docker26',
    laptopEngine: 'docker26',
    rate: '4mbit',
    link: { rttMs: 50, jitterMs: 10, lossPercent: 1 },
  });
  // Its own laptop cache, so the link rate DELTA=auto reads is the one this suite's first push measured.
  const cache = tempDir('rd-e2e-cache-');
  const linkRates = join(cache, 'robot-deploy', 'link-rates.json');
  let envFile: string;
  let tree: ReturnType<typeof makeInstallTree>;
  const env = () => ({ ...fleet().laptopEnv, XDG_CACHE_HOME: cache });
  const deploy = () => runScriptAsync('deploy.ts', ['jetson', '--env-file', envFile], env());
  const arm64Run = (args: string[]) => ['run', '--rm', '--platform', 'linux/arm64', ref, ...args];

  test('first deploy: docker push, which measures the link', async () => {
    const dir = makeProjectDir();
    await importArm64Base(fleet().stateDir, { ...process.env, ...env() });
    tree = makeInstallTree(dir, 40, ARM64_BUSYBOX_IMAGE);
    envFile = writeProjectEnv(dir, fleet(), fleet().robots, WS, ['JETSON_PLATFORM=linux/arm64', 'DELTA=auto']);
    const result = await deploy();
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /docker push \(no delta: first deploy of this workspace to the robot\)/);
    assert.ok(existsSync(linkRates), 'the push recorded the link rate');
    const [{ bitsPerSecond: rate }] = Object.values(
      JSON.parse(readFileSync(linkRates, 'utf8')) as Record<string, { bitsPerSecond: number }>,
    );
    console.log(`# measured link rate: ${(rate / 1e6).toFixed(2)} Mbit/s (shaped to 4 Mbit/s, 1 % loss)`);
    assert.ok(rate > 0.5e6 && rate < 4.5e6, `a plausible rate for this link: ${rate} bit/s`);
  });

  test('rebuild of two files, no rate measured lately: this deploy probes the link, auto picks the delta, and the arm64 image is the laptop’s, bit for bit', async () => {
    const floor = tree.rewrite(['lib03.so', 'lib29.so']);
    rmSync(linkRates);
    const result = await deploy();
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /colcon: delta \(auto: whole ~[\d.]+ s at [\d.]+ Mbit\/s against delta ~[\d.]+ s\)/);
    assert.ok(existsSync(linkRates), 'the probe recorded the rate it measured');
    assert.match(result.output, /colcon: delta, 1 new layer\(s\) of 8\.\d MB rebuilt on the robot/);
    const robot = fleet().robot('jetson');
    assert.equal(
      dockerOn(robot, ['image', 'inspect', '--format', FINGERPRINT_FORMAT, ref]),
      laptopDocker(env(), ['image', 'inspect', '--format', FINGERPRINT_FORMAT, ref]),
    );
    assert.equal(dockerOn(robot, ['image', 'inspect', '--format', '{{.Os}}/{{.Architecture}}', ref]), 'linux/arm64');
    assert.equal(dockerOn(robot, arm64Run([])), laptopDocker(env(), arm64Run([])), 'the robot runs the same bytes');
    assert.equal(dockerOn(robot, arm64Run(['uname', '-m'])), 'aarch64');
    const [sent] = sentBytes(result.output);
    console.log(`# auto delta over a lossy 4 Mbit/s link: ${sent} bytes sent, floor ${floor} bytes`);
    assert.ok(sent < 3 * floor, `sent ${sent}, floor ${floor}`);
  });
});
