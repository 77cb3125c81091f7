// --dry-run's stand-ins: a laptop whose builds "write" their ID files and whose pushes print a digest, and a
// robot of the configured platform that holds none of the images and runs its registry. What they answer must
// be what the real steps parse, or a dry run would stop where a deploy would not.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parsePushDigest } from '../../../scripts/lib/commands/local-docker.ts';
import { parseProbe, parsePullAndTag, probe, pullAndTag } from '../../../scripts/lib/commands/robot-docker.ts';
import { ensureRegistry, parseEnsureOutput } from '../../../scripts/lib/commands/robot-registry.ts';
import { DRY_RUN_DIGEST, laptopResponder, robotResponder } from '../../../scripts/lib/deploy/dry-run.ts';
import { platformVerdict } from '../../../scripts/lib/deploy/platform-verdict.ts';
import { tempDir } from '../../support/cli.ts';
import { dryRunDeploy, ROBOT_ENV, stepHarness } from '../../support/deploy-harness.ts';

test("the laptop's builds write the image ID file docker would, and its pushes print a digest the push parses", () => {
  const dir = tempDir('rd-dry-run-');
  const iid = join(dir, 'iid');
  assert.equal(laptopResponder(['docker', 'build', '--platform', 'linux/amd64', '--iidfile', iid, '.']), undefined);
  assert.equal(readFileSync(iid, 'utf8'), DRY_RUN_DIGEST);
  const metadata = join(dir, 'metadata.json');
  laptopResponder(['docker', 'buildx', 'build', '--metadata-file', metadata, '.']);
  assert.deepEqual(JSON.parse(readFileSync(metadata, 'utf8')), {
    'containerimage.digest': DRY_RUN_DIGEST,
    'containerimage.config.digest': DRY_RUN_DIGEST,
  });
  assert.equal(laptopResponder(['docker', 'image', 'inspect', '--format', '{{.Id}}', 'app:navigation'])?.stdout?.trim(), DRY_RUN_DIGEST);
  assert.equal(
    parsePushDigest(laptopResponder(['docker', 'image', 'push', '127.0.0.1:5000/app:navigation'])?.stdout ?? ''),
    DRY_RUN_DIGEST,
  );
  assert.equal(laptopResponder(['docker', 'image', 'tag', DRY_RUN_DIGEST, 'app:x']), undefined, 'anything else: exit 0, no output');
});

test('the robot answers the probe as an engine of its platform that holds none of the images; a 32-bit ARM robot passes the platform check', async () => {
  for (const platform of ['linux/amd64', 'linux/arm64', 'linux/arm/v7']) {
    const { run } = await stepHarness(`${ROBOT_ENV}ROBOT1_PLATFORM=${platform}\n`);
    const probed = parseProbe(robotResponder(run.robot)(probe(['app:navigation']))?.stdout ?? '');
    assert.equal(probed.images.size, 0, platform);
    assert.equal(platformVerdict(platform, probed), 'native', platform);
  }
});

test("the robot's registry runs on its configured port, on loopback only", async () => {
  const { run } = await stepHarness(`${ROBOT_ENV}ROBOT1_REGISTRY_PORT=5050\n`);
  const outcome = parseEnsureOutput(robotResponder(run.robot)(ensureRegistry(5050))?.stdout ?? '');
  assert.deepEqual(outcome, { status: 'running', port: 5050 });
});

test('the pull & tag answers a deployed image and no previous one', async () => {
  const { run } = await stepHarness();
  const answer = robotResponder(run.robot)(pullAndTag('127.0.0.1:5000/app@sha256:1', 'app:navigation', 'app:navigation.prev', []));
  assert.deepEqual(parsePullAndTag(answer?.stdout ?? ''), { deployed: DRY_RUN_DIGEST, previous: undefined });
});

test("the robot knows a command by its script, not its name: a user's AFTER named like a script gets no canned answer", async () => {
  const { run } = await stepHarness();
  const answer = robotResponder(run.robot);
  assert.equal(answer(['sh', '-c', 'echo engine linux/arm64', 'probe']), undefined);
  assert.equal(answer(['sh', '-c', 'systemctl restart robot']), undefined);
  assert.equal(answer(['docker', 'container', 'stop', 'robot-deploy-registry']), undefined);
});

test('a whole deploy walks through on the stand-ins, for every platform a robot may have', async () => {
  for (const platform of ['linux/amd64', 'linux/arm64', 'linux/arm/v7']) {
    const { ctx, robot } = await dryRunDeploy(`${ROBOT_ENV}ROBOT1_PLATFORM=${platform}\n`);
    const [run] = ctx.robots;
    assert.equal(run.error, undefined, platform);
    assert.deepEqual(run.outcomes.get('navigation'), { kind: 'deployed', id: DRY_RUN_DIGEST, previous: undefined }, platform);
    assert.deepEqual(robot, ['probe', 'ensure-registry', 'pull-and-tag'], platform);
  }
});

test('a dry run --no-delta records the same deploy: no delta is tried in a dry run, and no delta basis is tagged', async () => {
  for (const noDelta of [false, true]) {
    const { ctx, log } = await dryRunDeploy(ROBOT_ENV, undefined, { noDelta });
    assert.equal(ctx.noDelta, noDelta);
    assert.equal(ctx.robots[0].error, undefined);
    assert.deepEqual(
      log.filter((entry) => entry.argv.some((arg) => arg.endsWith('.delta-basis'))),
      [],
    );
  }
});
