// Fleet and lifecycle: several robots at once, one of them unreachable, up-to-date skips, and
// what comes after a deploy — status, rollback, prune and <NAME>_AFTER.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type GeneratedWorkspace, makeWorkspace, type SimRobot } from '../../scripts/dev/sim/harness.ts';
import { robotFiles } from '../../scripts/dev/sim/state.ts';
import { simSuiteOptions } from './support/prereqs.ts';
import { blobUploads, dockerOn, imageIdOn, makeProjectDir, runScriptAsync, TEST_IMAGE, writeProjectEnv } from './support/project.ts';
import { useSimFleet } from './support/sim-fleet.ts';

const short = (id: string | undefined): string => (id ? id.slice(7, 19) : '-');
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

function count(text: string, pattern: RegExp): number {
  return [...text.matchAll(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`))].length;
}

/** The robot's registry volume, as a path on the host. */
function registryDir(robot: SimRobot): string {
  return dockerOn(robot, ['volume', 'inspect', '--format', '{{.Mountpoint}}', 'robot-deploy-registry']);
}

/** Bytes the robot's registry volume holds. */
function registryBytes(robot: SimRobot): number {
  return Number(execFileSync('du', ['-sb', registryDir(robot)], { encoding: 'utf8' }).split('\t')[0]);
}

/** Whether the robot's registry still holds the manifest the robot pulled for this image ID. */
function manifestInRegistry(robot: SimRobot, id: string): boolean {
  const repoDigest = dockerOn(robot, ['image', 'inspect', '--format', '{{range .RepoDigests}}{{println .}}{{end}}', id])
    .split('\n')
    .find((d) => d.includes(`/${TEST_IMAGE}@sha256:`));
  assert.ok(repoDigest, `${short(id)} was pulled from the robot's registry`);
  const hex = repoDigest.split('@sha256:')[1]!;
  return existsSync(join(registryDir(robot), 'docker/registry/v2/repositories', TEST_IMAGE, '_manifests/revisions/sha256', hex, 'link'));
}

/** What the image prints: every generated workspace's CMD cats its top.txt. */
function runOn(robot: SimRobot, ref: string): string {
  return dockerOn(robot, ['run', '--rm', ref]);
}

/** A second robots.env in the same project (so the same known_hosts) with other workspaces and keys. */
function writeVariantEnv(base: string, name: string, workspaces: string, extra: string[] = []): string {
  const file = join(dirname(base), name);
  const text = readFileSync(base, 'utf8').replace(/^WORKSPACES=.*$/m, `WORKSPACES=${workspaces}`);
  writeFileSync(file, `${text}${extra.join('\n')}${extra.length ? '\n' : ''}`);
  return file;
}

describe('Fleet and lifecycle', simSuiteOptions(), () => {
  const fleet = useSimFleet({ names: ['alpha', 'bravo', 'charlie'] });
  const ref = `${TEST_IMAGE}:fleet`;
  const ids: Record<string, string> = {};
  let dir: string;
  let envFile: string;
  let fleetWs: GeneratedWorkspace;
  const deploy = (...args: string[]) => runScriptAsync('deploy.ts', [...args, '--env-file', envFile]);
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('three robots at once: the image is built once and every robot gets its ID', async () => {
    dir = makeProjectDir();
    fleetWs = await makeWorkspace(dir, { name: 'fleet', baseSizeMiB: 20, top: 'fleet v1' });
    await makeWorkspace(dir, { name: 'fleetsolo', baseSizeMiB: 20 });
    envFile = writeProjectEnv(dir, fleet(), fleet().robots, 'fleet');

    // The same amount of work for one robot (another workspace of the same size, so nothing is cached).
    const solo = await deploy('alpha', '--ws', 'fleetsolo');
    assert.equal(solo.code, 0, solo.output);
    assert.equal(imageIdOn(fleet().robot('alpha'), `${TEST_IMAGE}:fleetsolo`), imageIdOn(undefined, `${TEST_IMAGE}:fleetsolo`));

    const all = await deploy('all');
    assert.equal(all.code, 0, all.output);
    ids.v1 = imageIdOn(undefined, ref)!;
    assert.match(ids.v1 ?? '', /^sha256:[0-9a-f]{64}$/);
    for (const robot of fleet().robots) {
      assert.equal(imageIdOn(robot, ref), ids.v1, `${robot.name} holds the laptop image`);
      assert.match(
        all.output,
        new RegExp(`^${robot.name}\\s+deployed\\s+rd-e2e:fleet ${short(ids.v1)}; [\\d.]+ MB through the tunnel$`, 'm'),
      );
    }
    assert.equal(count(all.output, /^✔ build /m), 1, `one build task for three robots:\n${all.output}`);
    assert.equal(count(all.output, /^✔ push: fleet: /m), 3, 'three pushes');
    console.log(`# 1 robot: ${seconds(solo.ms)}; 3 robots together: ${seconds(all.ms)} (each a 20 MiB base, build included)`);
  });

  test('one robot unreachable: it fails with its reason, the others are deployed', async () => {
    const bravo = fleet().robot('bravo');
    await fleetWs.setTop('fleet v2');
    await bravo.cutLink();
    let result: Awaited<ReturnType<typeof deploy>>;
    try {
      result = await deploy('all');
    } finally {
      await bravo.restoreLink();
    }
    assert.equal(result.code, 1, result.output);
    ids.v2 = imageIdOn(undefined, ref)!;
    assert.notEqual(ids.v2, ids.v1);
    for (const name of ['alpha', 'charlie']) {
      assert.match(
        result.output,
        new RegExp(`^${name}\\s+deployed\\s+rd-e2e:fleet ${short(ids.v2)}, previous ${short(ids.v1)} kept as rd-e2e:fleet\\.prev`, 'm'),
      );
      assert.equal(imageIdOn(fleet().robot(name), ref), ids.v2, `${name} got the new image`);
    }
    assert.match(
      result.output,
      new RegExp(`^bravo\\s+failed\\s+bravo \\(rdsim@${bravo.address.replace(/\./g, '\\.')}\\): (no route|no SSH answer)`, 'm'),
    );
    assert.equal(imageIdOn(bravo, ref), ids.v1, 'bravo keeps its image');
    assert.ok(result.ms < 30_000, `the unreachable robot did not hold the fleet up (${seconds(result.ms)})`);
  });

  test('up to date robots are skipped: nothing is pushed to them', async () => {
    const uploads = Object.fromEntries(fleet().robots.map((r) => [r.name, blobUploads(r)]));
    const catchUp = await deploy('all');
    assert.equal(catchUp.code, 0, catchUp.output);
    assert.match(catchUp.output, new RegExp(`^bravo\\s+deployed\\s+rd-e2e:fleet ${short(ids.v2)}, previous ${short(ids.v1)}`, 'm'));
    assert.equal(blobUploads(fleet().robot('bravo')) - uploads.bravo!, 2, 'bravo gets the changed layer and the config');
    for (const name of ['alpha', 'charlie']) {
      assert.match(catchUp.output, new RegExp(`^${name}\\s+up to date\\s+rd-e2e:fleet ${short(ids.v2)} \\(already there\\)$`, 'm'));
      assert.equal(blobUploads(fleet().robot(name)), uploads[name], `nothing uploaded to ${name}`);
    }

    const quiet = Object.fromEntries(fleet().robots.map((r) => [r.name, blobUploads(r)]));
    const again = await deploy('all');
    assert.equal(again.code, 0, again.output);
    for (const robot of fleet().robots) {
      assert.match(again.output, new RegExp(`^${robot.name}\\s+up to date\\s+rd-e2e:fleet ${short(ids.v2)} \\(already there\\)$`, 'm'));
      assert.equal(blobUploads(robot), quiet[robot.name], `nothing uploaded to ${robot.name}`);
      assert.equal(imageIdOn(robot, ref), ids.v2);
    }
    assert.equal(count(again.output, /push: skipped, robot is up to date/), 3);
    console.log(`# no-change deploy to 3 robots: ${seconds(again.ms)}`);
  });

  test('status: in sync, stale after a build that was not deployed, missing, and unreachable', async () => {
    await makeWorkspace(dir, { name: 'fleetmiss' });
    const statusEnv = writeVariantEnv(envFile, 'status.env', 'fleet,fleetmiss');
    const status = (...names: string[]) => runScriptAsync('status.ts', [...names, '--env-file', statusEnv]);
    const startedAt = Date.now();

    const synced = await status();
    assert.equal(synced.code, 0, synced.output);
    for (const robot of fleet().robots) {
      assert.match(synced.output, new RegExp(`^${robot.name}: registry running; images \\S+, registry storage \\S+$`, 'm'));
    }
    const rows = [
      ...synced.output.matchAll(
        /^ {2}rd-e2e:fleet {2}in sync {2}robot (\w+) {2}laptop (\w+) {2}deployed (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC {2}rollback (\w+)$/gm,
      ),
    ];
    assert.equal(rows.length, 3, synced.output);
    for (const [, robotId, laptopId, when, rollback] of rows) {
      assert.equal(robotId, short(ids.v2));
      assert.equal(laptopId, short(ids.v2));
      assert.equal(rollback, short(ids.v1));
      const deployedAt = Date.parse(`${when!.replace(' ', 'T')}Z`);
      assert.ok(deployedAt <= startedAt + 1000 && deployedAt > startedAt - 15 * 60_000, `deployed ${when} UTC is a recent time`);
    }
    assert.equal(
      count(synced.output, /^ {2}rd-e2e:fleetmiss {2}missing {2}robot - {2}laptop \S+ {2}never deployed {2}rollback -$/m),
      3,
      synced.output,
    );

    await fleetWs.setTop('fleet v3, built but not deployed');
    const build = await runScriptAsync('build.ts', ['--ws', 'fleet', '--env-file', envFile]);
    assert.equal(build.code, 0, build.output);
    ids.v3 = imageIdOn(undefined, ref)!;
    assert.notEqual(ids.v3, ids.v2);
    const stale = await status();
    assert.equal(stale.code, 0, stale.output);
    assert.equal(
      count(stale.output, new RegExp(`^ {2}rd-e2e:fleet {2}stale {4}robot ${short(ids.v2)} {2}laptop ${short(ids.v3)} {2}deployed `, 'm')),
      3,
      stale.output,
    );

    const charlie = fleet().robot('charlie');
    await charlie.cutLink();
    let unreachable: Awaited<ReturnType<typeof status>>;
    try {
      unreachable = await status();
    } finally {
      await charlie.restoreLink();
    }
    assert.equal(unreachable.code, 1, unreachable.output);
    assert.match(unreachable.output, /^charlie: unreachable — charlie \(rdsim@[\d.]+\): /m);
    assert.match(unreachable.output, /^alpha: registry running;/m, 'the reachable robots are still reported');
  });

  test('rollback swaps IMAGE:WS and IMAGE:WS.prev, and a second rollback goes forward again', async () => {
    const alpha = fleet().robot('alpha');
    const rb = await makeWorkspace(dir, { name: 'fleetrb', top: 'rollback 1' });
    const current = `${TEST_IMAGE}:fleetrb`;
    const previous = `${current}.prev`;
    const rollback = (robot: string) => runScriptAsync('rollback.ts', [robot, '--ws', 'fleetrb', '--env-file', envFile]);
    assert.equal((await deploy('alpha', '--ws', 'fleetrb')).code, 0);
    const first = imageIdOn(undefined, current)!;
    await rb.setTop('rollback 2');
    assert.equal((await deploy('alpha', '--ws', 'fleetrb')).code, 0);
    const second = imageIdOn(undefined, current)!;
    assert.notEqual(first, second);
    assert.equal(imageIdOn(alpha, current), second);
    assert.equal(imageIdOn(alpha, previous), first);

    const back = await rollback('alpha');
    assert.equal(back.code, 0, back.output);
    assert.match(
      back.output,
      new RegExp(
        `^alpha: rd-e2e:fleetrb is now ${short(first)} \\(rolled back from ${short(second)}, which is kept as rd-e2e:fleetrb\\.prev\\)$`,
        'm',
      ),
    );
    assert.equal(imageIdOn(alpha, current), first);
    assert.equal(imageIdOn(alpha, previous), second);
    assert.equal(runOn(alpha, current), 'rollback 1', 'the rolled-back image runs');

    const forward = await rollback('alpha');
    assert.equal(forward.code, 0, forward.output);
    assert.equal(imageIdOn(alpha, current), second);
    assert.equal(imageIdOn(alpha, previous), first);
    assert.equal(runOn(alpha, current), 'rollback 2');

    const charlie = fleet().robot('charlie');
    assert.equal((await deploy('charlie', '--ws', 'fleetrb')).code, 0);
    const noPrevious = await rollback('charlie');
    assert.equal(noPrevious.code, 1, noPrevious.output);
    assert.match(
      noPrevious.output,
      /^charlie: rollback of rd-e2e:fleetrb failed: no previous image \(rd-e2e:fleetrb\.prev\) to roll back to$/m,
    );
    assert.equal(imageIdOn(charlie, current), second, 'IMAGE:WS untouched');
    assert.equal(imageIdOn(charlie, previous), undefined);

    const nothing = await rollback('bravo');
    assert.equal(nothing.code, 1, nothing.output);
    assert.match(nothing.output, /^bravo: rollback of rd-e2e:fleetrb failed: rd-e2e:fleetrb is not on the robot$/m);
  });

  test('prune keeps current, rollback and in-use images, removes older deploys and frees disk; --keep 1 keeps one more', async () => {
    const charlie = fleet().robot('charlie');
    const current = `${TEST_IMAGE}:fleetprune`;
    const pruneEnv = writeVariantEnv(envFile, 'prune.env', 'fleetprune');
    const deployed: string[] = [];
    // Five deploys; the base layer (8 MiB of random bytes) is new for 1 to 4 and shared by 4 and 5,
    // so 2 and 3 each own a base layer nothing else uses.
    let workspace: GeneratedWorkspace | undefined;
    for (let i = 1; i <= 5; i++) {
      if (i < 5) workspace = await makeWorkspace(dir, { name: 'fleetprune', baseSizeMiB: 8, top: `prune ${i}` });
      else await workspace!.setTop(`prune ${i}`);
      const result = await runScriptAsync('deploy.ts', ['charlie', '--env-file', pruneEnv]);
      assert.equal(result.code, 0, result.output);
      deployed.push(imageIdOn(charlie, current)!);
    }
    const [d1, d2, d3, d4, d5] = deployed as [string, string, string, string, string];
    assert.equal(new Set(deployed).size, 5, 'five different images');
    assert.equal(imageIdOn(charlie, `${current}.prev`), d4);
    dockerOn(charlie, ['container', 'create', '--name', 'uses-deploy-1', d1]);
    const present = (id: string) => imageIdOn(charlie, id) === id;

    const registryBefore = registryBytes(charlie);
    const keepOne = await runScriptAsync('prune.ts', ['charlie', '--keep', '1', '--env-file', pruneEnv]);
    assert.equal(keepOne.code, 0, keepOne.output);
    const report1 =
      /prune: removed (\d+) image\(s\), \d+ registry manifest\(s\); kept \d+ \(current, rollback, up to 1 older\);.* freed ([\d.]+) MB/.exec(
        keepOne.output,
      );
    assert.ok(report1, keepOne.output);
    assert.ok(Number(report1[1]) >= 1 && Number(report1[2]) > 0, `removed and freed something: ${report1[0]}`);
    assert.doesNotMatch(keepOne.output, /^. build /m, 'prune builds nothing');
    assert.equal(present(d2), false, 'the oldest unused deploy is gone');
    assert.ok(present(d3), '--keep 1 kept the newest older deploy');
    assert.ok(present(d1), 'an image a container uses is never removed');
    const registryAfter = registryBytes(charlie);
    assert.ok(
      registryBefore - registryAfter >= 7 * 2 ** 20,
      `the registry shrank by a base layer: ${registryBefore} → ${registryAfter} bytes`,
    );

    const keepNone = await runScriptAsync('prune.ts', ['charlie', '--env-file', pruneEnv]);
    assert.equal(keepNone.code, 0, keepNone.output);
    const report2 = /prune: removed (\d+) image\(s\), \d+ registry manifest\(s\); kept \d+ \(current, rollback\);.* freed ([\d.]+) MB/.exec(
      keepNone.output,
    );
    assert.ok(report2, keepNone.output);
    assert.ok(Number(report2[2]) > 0, `freed something: ${report2[0]}`);
    assert.equal(present(d3), false, 'without --keep the older deploy goes too');
    assert.ok(present(d1), 'still in use, still there');
    assert.ok(registryBytes(charlie) <= registryAfter, 'the registry did not grow');
    const tags = dockerOn(charlie, ['image', 'ls', '--format', '{{.ID}}']);
    for (const gone of [d2, d3]) assert.ok(!tags.includes(short(gone)), `${short(gone)} not in docker image ls`);

    assert.equal(imageIdOn(charlie, current), d5, 'IMAGE:WS unchanged');
    assert.equal(imageIdOn(charlie, `${current}.prev`), d4, 'IMAGE:WS.prev unchanged');
    assert.equal(runOn(charlie, current), 'prune 5');
    assert.equal(runOn(charlie, `${current}.prev`), 'prune 4');

    // The registry still serves what it kept: a one-line change sends one layer and the config.
    const uploads = blobUploads(charlie);
    await workspace!.setTop('prune 6');
    const next = await runScriptAsync('deploy.ts', ['charlie', '--env-file', pruneEnv]);
    assert.equal(next.code, 0, next.output);
    assert.equal(imageIdOn(charlie, current), imageIdOn(undefined, current));
    assert.equal(blobUploads(charlie) - uploads, 2, 'the kept base layer was not sent again');
  });

  test('prune leaves the registry copies of the images it keeps (rollback image, --keep N)', async () => {
    const alpha = fleet().robot('alpha');
    const workspace = await makeWorkspace(dir, { name: 'fleetkeep', baseSizeMiB: 2, top: 'keep 1' });
    const keepEnv = writeVariantEnv(envFile, 'keep.env', 'fleetkeep');
    assert.equal((await runScriptAsync('deploy.ts', ['alpha', '--env-file', keepEnv])).code, 0);
    const rollbackId = imageIdOn(alpha, `${TEST_IMAGE}:fleetkeep`)!;
    await workspace.setTop('keep 2');
    assert.equal((await runScriptAsync('deploy.ts', ['alpha', '--env-file', keepEnv])).code, 0);
    const currentId = imageIdOn(alpha, `${TEST_IMAGE}:fleetkeep`)!;
    assert.equal(imageIdOn(alpha, `${TEST_IMAGE}:fleetkeep.prev`), rollbackId);
    assert.ok(manifestInRegistry(alpha, rollbackId), 'before prune the registry holds the rollback image');
    const pruned = await runScriptAsync('prune.ts', ['alpha', '--env-file', keepEnv]);
    assert.equal(pruned.code, 0, pruned.output);
    assert.ok(manifestInRegistry(alpha, currentId), 'the current image stays in the registry');
    assert.ok(manifestInRegistry(alpha, rollbackId), 'the rollback image stays in the registry');
  });

  test('<NAME>_AFTER runs after a successful deploy and its output is shown; a failing one fails that robot', async () => {
    await makeWorkspace(dir, { name: 'fleetafter' });
    const current = `${TEST_IMAGE}:fleetafter`;
    const marker = 'after-fleetafter.txt';
    const afterEnv = writeVariantEnv(envFile, 'after.env', 'fleetafter', [
      `ALPHA_AFTER='echo after-ran-on-$(hostname) | tee "$HOME/${marker}"; docker image inspect --format "{{.Id}}" ${current}'`,
      `BRAVO_AFTER='echo boom-from-bravo >&2; exit 3'`,
      `CHARLIE_AFTER='touch "$HOME/${marker}"'`,
    ]);
    const charlie = fleet().robot('charlie');
    const home = (robot: SimRobot) =>
      robotFiles({ prefix: fleet().prefix, subnet: fleet().subnet, stateDir: fleet().stateDir }, robot.name).home;
    await charlie.cutLink();
    let result: Awaited<ReturnType<typeof deploy>>;
    try {
      result = await runScriptAsync('deploy.ts', ['all', '--env-file', afterEnv]);
    } finally {
      await charlie.restoreLink();
    }
    assert.equal(result.code, 1, result.output);
    const id = imageIdOn(undefined, current)!;
    assert.ok(id);

    const alpha = fleet().robot('alpha');
    assert.equal(imageIdOn(alpha, current), id);
    assert.match(result.output, /^alpha\s+deployed\s+rd-e2e:fleetafter /m);
    // Its output is shown, and it saw the new image already tagged.
    assert.ok(result.output.includes(`after: after-ran-on-alpha | ${id}`), result.output);
    assert.ok(existsSync(join(home(alpha), marker)), 'AFTER ran on the robot');

    const bravo = fleet().robot('bravo');
    assert.equal(imageIdOn(bravo, current), id, 'the image is deployed even though AFTER failed');
    assert.match(result.output, /^bravo\s+failed\s+deployed, but BRAVO_AFTER failed \(exit 3\): boom-from-bravo$/m);

    assert.match(result.output, /^charlie\s+failed\s+charlie \(rdsim@/m);
    assert.equal(imageIdOn(charlie, current), undefined);
    assert.equal(existsSync(join(home(charlie), marker)), false, 'no AFTER on a robot that was not deployed');
  });

  test('status and doctor call a missing registry container "absent"', async () => {
    const charlie = fleet().robot('charlie');
    dockerOn(charlie, ['container', 'rm', '--force', 'robot-deploy-registry']);
    const status = await runScriptAsync('status.ts', ['charlie', '--env-file', envFile]);
    assert.match(status.output, /^charlie: registry absent;/m);
    const doctor = await runScriptAsync('doctor.ts', ['charlie', '--env-file', envFile]);
    assert.match(doctor.output, /^✔ charlie\s+registry {2,}absent \(the next deploy starts it\)$/m);
  });
});
