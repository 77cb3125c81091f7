// The post's step 4 on the laptop: the stale workspaces pushed through the tunnel to the robot's registry, by
// docker push (an image in `docker images`) or buildx (an image in a builder's cache). Recording runners only:
// every push here takes the docker push route, which needs no registry to answer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProbe } from '../../../../scripts/lib/commands/robot-docker.ts';
import { DRY_RUN_DIGEST, laptopResponder } from '../../../../scripts/lib/deploy/dry-run.ts';
import { push } from '../../../../scripts/lib/deploy/steps/push.ts';
import type { BuiltImage } from '../../../../scripts/lib/image-build/build-job.ts';
import { linkKey } from '../../../../scripts/lib/link/link-key.ts';
import { linkRate, linkRatesFile } from '../../../../scripts/lib/link/link-rates.ts';
import type { Responder } from '../../../../scripts/lib/runner/recording-runner.ts';
import { tempDir } from '../../../support/cli.ts';
import { digest, ROBOT_ENV, type StepSetup, stepHarness } from '../../../support/deploy-harness.ts';

// Link rates measured by a push are kept in the laptop's cache: here a throwaway one.
process.env.XDG_CACHE_HOME = tempDir('rd-push-cache-');

const TUNNEL_PORT = 5999;
const TARGET = `127.0.0.1:${TUNNEL_PORT}/app:navigation`;
const BUILT: BuiltImage = { id: digest('1'), digests: [], localId: digest('1') };

/** After the tunnel step: a stand-in tunnel on TUNNEL_PORT (unless `noTunnel`) through which each docker push sends `pushBytes`. */
async function beforePush(
  env = ROBOT_ENV,
  options: StepSetup & { stale?: string[]; built?: BuiltImage; pushBytes?: number; noTunnel?: boolean } = {},
) {
  let sent = 0;
  const laptop: Responder = (argv) => {
    if (argv[2] === 'push') sent += options.pushBytes ?? 0;
    return (options.laptop ?? laptopResponder)(argv);
  };
  const harness = await stepHarness(env, { ...options, laptop });
  const { run } = harness;
  run.remote = parseProbe(`engine linux/amd64 27.0.0\nstatus=running\nbind=127.0.0.1:5000\n`);
  run.registryPort = 5000;
  if (!options.noTunnel)
    run.link.tunnelStandIn = {
      port: TUNNEL_PORT,
      bytesToRobot: () => sent,
      use: (work) => work(),
      refused: () => 0,
      isOpen: () => true,
      close: async () => undefined,
    };
  run.stale = options.stale ?? [...run.workspaces];
  for (const ws of run.workspaces) harness.built(ws, options.built ?? BUILT);
  const note = () => push.run(harness.ctx, run, () => undefined);
  return { ...harness, note };
}

test("an image in the laptop's docker images is tagged for the tunnel by its ID, pushed, and the tag dropped again", async () => {
  const { run, on, teardown, note } = await beforePush();
  const said = await note();
  assert.deepEqual(on('laptop'), [
    ['docker', 'image', 'tag', BUILT.localId, TARGET],
    ['docker', 'image', 'push', TARGET],
    ['docker', 'image', 'rm', '--no-prune', TARGET],
  ]);
  assert.deepEqual(on('robot1'), []);
  assert.equal(run.digests.get('navigation'), DRY_RUN_DIGEST);
  assert.equal(teardown.size, 0, 'the temporary tag is no longer left to the teardown');
  assert.match(said ?? '', /^navigation: 0\.0 kB sent; navigation: docker push \(no delta in a dry run\)$/);
});

test('only the stale workspaces are pushed, each to its own tag', async () => {
  const env = 'IMAGE=app\nWORKSPACES=navigation,perception\nROBOT1_HOST=nuc@192.0.2.64\n';
  const { run, on, note } = await beforePush(env, { workspaces: ['navigation', 'perception'], stale: ['perception'] });
  await note();
  assert.deepEqual(
    on('laptop').filter((argv) => argv[2] === 'push'),
    [['docker', 'image', 'push', `127.0.0.1:${TUNNEL_PORT}/app:perception`]],
  );
  assert.deepEqual([...run.digests.keys()], ['perception']);
});

test("an image only in a docker-container builder's cache is pushed by buildx, straight from its build", async () => {
  const { ctx, run, on, note } = await beforePush(ROBOT_ENV, { built: { ...BUILT, localId: undefined } });
  await note();
  const [buildx, ...rest] = on('laptop');
  assert.deepEqual(rest, []);
  assert.deepEqual(buildx.slice(0, 3), ['docker', 'buildx', 'build']);
  assert.equal(buildx[buildx.indexOf('--tag') + 1], TARGET);
  assert.equal(buildx[buildx.indexOf('--output') + 1], 'type=registry');
  assert.equal(buildx.at(-1), ctx.config.context);
  assert.equal(run.digests.get('navigation'), DRY_RUN_DIGEST, 'the digest buildx wrote in its metadata file');
});

test('a push that prints no digest fails naming its target; the temporary tag is removed all the same', async () => {
  const laptop: Responder = (argv) => (argv[2] === 'push' ? { stdout: 'pushed\n' } : undefined);
  const { run, on, teardown, note } = await beforePush(ROBOT_ENV, { laptop });
  await assert.rejects(note(), { message: `docker push ${TARGET} printed no digest` });
  assert.deepEqual(on('laptop').at(-1), ['docker', 'image', 'rm', '--no-prune', TARGET]);
  assert.equal(teardown.size, 0);
  assert.equal(run.digests.size, 0);
});

test("a failed docker push gives docker's last words; the tag is removed", async () => {
  const laptop: Responder = (argv) =>
    argv[2] === 'push' ? { code: 1, stderr: 'denied: requested access to the resource is denied\n' } : undefined;
  const { on, note } = await beforePush(ROBOT_ENV, { laptop });
  await assert.rejects(note(), new RegExp(`^CommandError: docker push ${TARGET} failed on laptop \\(exit 1\\): denied: requested access`));
  assert.equal(on('laptop').at(-1)?.[2], 'rm');
});

test('without the tunnel nothing is pushed: an internal error names the step that opens it', async () => {
  const { on, note } = await beforePush(ROBOT_ENV, { noTunnel: true });
  await assert.rejects(note(), /internal error: robot1 has no tunnel yet; the "tunnel" step opens it/);
  assert.deepEqual(
    on('laptop').filter((argv) => argv[2] === 'push'),
    [],
  );
});

test('the bytes that crossed the tunnel are what the note says was sent', async () => {
  const { note } = await beforePush(ROBOT_ENV, { pushBytes: 12_345_678 });
  assert.match((await note()) ?? '', /^navigation: 12\.3 MB sent;/);
});

test('outside a dry run the note says why the layers went by docker push: --no-delta, DELTA=off, a first deploy', async () => {
  const cases: [string, StepSetup, string][] = [
    [ROBOT_ENV, { noDelta: true }, 'delta off by --no-delta'],
    [`${ROBOT_ENV}ROBOT1_DELTA=off\n`, {}, 'delta off by DELTA=off or ROBOT1_DELTA=off in robots.env'],
    [ROBOT_ENV, {}, 'no delta: first deploy of this workspace to the robot'],
  ];
  for (const [env, setup, why] of cases) {
    const { note } = await beforePush(env, { ...setup, recorded: false });
    assert.match((await note()) ?? '', new RegExp(`; navigation: docker push \\(${why.replace(/[()]/g, '\\$&')}\\)$`), why);
  }
});

test('a real push measures the link for DELTA=auto; a dry run measures nothing', async () => {
  const file = linkRatesFile();
  for (const recorded of [true, false]) {
    const env = ROBOT_ENV.replace('192.0.2.64', recorded ? '192.0.2.65' : '192.0.2.66');
    const { run, note } = await beforePush(env, { recorded, pushBytes: 8e6 });
    await note();
    assert.equal(linkRate(file, linkKey(run.robot)) !== undefined, !recorded, recorded ? 'dry run' : 'real push');
  }
});
