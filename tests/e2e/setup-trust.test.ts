// Step 0 and the robot's trust: the user's key made and registered by password, host keys pinned
// and a changed one refused before anything runs, a robot without registry:2 and without internet,
// doctor's verdicts, and ~/.ssh/config aliases.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { makeWorkspace, type SimFleet, type SimRobot } from '../../scripts/dev/sim/harness.ts';
import { robotFiles } from '../../scripts/dev/sim/state.ts';
import { KnownHosts } from '../../scripts/lib/ssh/host-keys.ts';
import { simSuiteOptions } from './support/prereqs.ts';
import { listening, processesMatching } from './support/processes.ts';
import { blobUploads, dockerOn, imageIdOn, makeProjectDir, runScriptAsync, TEST_IMAGE, writeProjectEnv } from './support/project.ts';
import { useSimFleet } from './support/sim-fleet.ts';

/** Nothing from the developer's own SSH set-up may leak into these runs. */
const NO_USER_SSH = { SSH_AUTH_SOCK: undefined, RD_SSH_CONFIG: undefined, RD_SSH_PASSWORD: undefined };

const scratch: string[] = [];

/** A throwaway HOME (so ~/.ssh is empty) or project dir; both are removed after the file. */
function makeHome(): string {
  return scratch[scratch.push(mkdtempSync(join('/var/tmp', 'rd-e2e-home-'))) - 1];
}

function projectDir(): string {
  return scratch[scratch.push(makeProjectDir()) - 1];
}

/** robots.env without SSH_KEY: the key comes from ~/.ssh (or ~/.ssh/config). */
function writeKeylessEnv(dir: string, workspace: string, robots: Record<string, string>): string {
  const file = join(dir, 'robots.env');
  const lines = [`IMAGE=${TEST_IMAGE}`, 'CONTEXT=.', `WORKSPACES=${workspace}`, 'PLATFORM=linux/amd64', 'REGISTRY_PORT=5000'];
  for (const [name, target] of Object.entries(robots)) lines.push(`${name.toUpperCase()}_HOST=${target}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** SHA256:… of a public key file, as OpenSSH prints it. */
function fingerprintOf(pubFile: string): string {
  const out = execFileSync('ssh-keygen', ['-l', '-f', pubFile], { encoding: 'utf8' });
  const fp = /SHA256:\S+/.exec(out)?.[0];
  assert.ok(fp, `ssh-keygen -l printed no fingerprint: ${out}`);
  return fp;
}

function newKeyPair(dir: string, name: string): string {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `rd-e2e ${name}`, '-f', path]);
  return path;
}

const blobOf = (publicKeyLine: string): string => publicKeyLine.trim().split(/\s+/)[1] ?? '';

function simFiles(fleet: SimFleet, robot: SimRobot) {
  return robotFiles({ prefix: fleet.prefix, subnet: fleet.subnet, stateDir: fleet.stateDir }, robot.name);
}

/** Successful logins recorded by the robot's sshd. */
function acceptedLogins(fleet: SimFleet, robot: SimRobot): string[] {
  return readFileSync(simFiles(fleet, robot).sshdLog, 'utf8')
    .split('\n')
    .filter((line) => line.includes('Accepted '));
}

function registryLogs(robot: SimRobot): string {
  try {
    return dockerOn(robot, ['logs', 'robot-deploy-registry']);
  } catch {
    return '<no registry container>';
  }
}

function doctorRow(output: string, verdict: '✔' | '!' | '✖', scope: string, check: string): RegExpExecArray | null {
  return new RegExp(`^${verdict} ${scope}\\s+${check}\\s{2,}(.*)$`, 'm').exec(output);
}

describe("Step 0 and the robot's trust", simSuiteOptions(), () => {
  const fleet = useSimFleet({
    names: ['pwbot', 'tofu', 'noreg'],
    passwordLogin: ['pwbot'],
    withoutRegistry: ['noreg'],
  });
  after(() => {
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  test('setup makes an ed25519 key in ~/.ssh, registers it once with the password, and deploys use it', async () => {
    const started = performance.now();
    const robot = fleet().robot('pwbot');
    const authorizedKeys = join(simFiles(fleet(), robot).home, '.ssh', 'authorized_keys');
    assert.equal(readFileSync(authorizedKeys, 'utf8'), '', 'a password-login robot starts with no authorized key');
    const home = makeHome();
    const dir = projectDir();
    await makeWorkspace(dir, { name: 'trust' });
    const envFile = writeKeylessEnv(dir, 'trust', { pwbot: `${fleet().user}@${robot.address}` });
    const env = { ...NO_USER_SSH, HOME: home, RD_SSH_PASSWORD: fleet().password };
    const keyPath = join(home, '.ssh', 'id_ed25519');

    // Without a terminal, the password goes to a first host key only with an explicit opt-in.
    const refused = await runScriptAsync('setup.ts', ['pwbot', '--env-file', envFile], env);
    assert.equal(refused.code, 1, refused.output);
    assert.match(
      refused.output,
      /^key on pwbot\s+failed\s+pwbot: first contact, host key SHA256:\S+; the password is not sent to a host key nobody has verified\. .*--accept-new-host-key/m,
    );
    assert.equal(new KnownHosts(join(dir, 'known_hosts')).pinned('pwbot').length, 0, 'nothing pinned');
    assert.equal(readFileSync(authorizedKeys, 'utf8'), '', 'nothing registered');

    const first = await runScriptAsync('setup.ts', ['pwbot', '--env-file', envFile, '--accept-new-host-key'], env);
    assert.equal(first.code, 0, first.output);
    assert.equal(new KnownHosts(join(dir, 'known_hosts')).pinned('pwbot').length, 1, 'pinned once the login succeeded');
    assert.match(refused.output, new RegExp(`^your SSH key\\s+done\\s+generated ${keyPath} \\(ed25519, no passphrase\\)$`, 'm'));
    assert.ok(existsSync(keyPath) && existsSync(`${keyPath}.pub`), `setup made ${keyPath} and its .pub`);
    assert.equal(statSync(keyPath).mode & 0o777, 0o600, 'the private key is readable by its owner only');
    const publicKey = readFileSync(`${keyPath}.pub`, 'utf8').trim();
    assert.match(publicKey, /^ssh-ed25519 AAAA\S+ \S+$/);
    // OpenSSH itself reads the Node-made private key and derives the same public key.
    assert.equal(blobOf(execFileSync('ssh-keygen', ['-y', '-f', keyPath], { encoding: 'utf8' })), blobOf(publicKey));
    assert.match(first.output, /^key on pwbot\s+done\s+ssh-ed25519 key is now in pwbot's authorized_keys; key login verified$/m);
    const countOnRobot = () =>
      readFileSync(authorizedKeys, 'utf8')
        .split('\n')
        .filter((line) => line.includes(blobOf(publicKey))).length;
    assert.equal(countOnRobot(), 1, "the key is in the robot account's authorized_keys");
    assert.equal(statSync(authorizedKeys).mode & 0o777, 0o600, 'authorized_keys keeps the mode sshd insists on');

    const second = await runScriptAsync('setup.ts', ['pwbot', '--env-file', envFile], env);
    assert.equal(second.code, 0, second.output);
    assert.match(second.output, new RegExp(`^your SSH key\\s+already done\\s+${keyPath}$`, 'm'));
    assert.match(second.output, /^key on pwbot\s+already done\s+pwbot accepts your key$/m);
    assert.equal(countOnRobot(), 1, 'a second run adds no duplicate');
    assert.equal(readFileSync(`${keyPath}.pub`, 'utf8').trim(), publicKey, 'the key is not replaced');

    const loginsBefore = acceptedLogins(fleet(), robot).length;
    const deploy = await runScriptAsync('deploy.ts', ['pwbot', '--env-file', envFile], {
      ...env,
      RD_SSH_PASSWORD: undefined,
    });
    assert.equal(deploy.code, 0, deploy.output);
    const laptopId = imageIdOn(undefined, `${TEST_IMAGE}:trust`);
    assert.ok(laptopId);
    assert.equal(imageIdOn(robot, `${TEST_IMAGE}:trust`), laptopId);
    const newLogins = acceptedLogins(fleet(), robot).slice(loginsBefore);
    const fp = fingerprintOf(`${keyPath}.pub`);
    assert.ok(
      newLogins.length > 0 && newLogins.every((line) => line.includes(`Accepted publickey for rdsim`) && line.includes(fp)),
      `the deploy logged in with the generated key ${fp}:\n${newLogins.join('\n')}`,
    );
    console.log(`# key set-up + registration + deploy: ${((performance.now() - started) / 1000).toFixed(2)} s`);
  });

  test('without a password nothing is registered; a wrong password fails the row with the reason', async () => {
    const robot = fleet().robot('pwbot');
    const authorizedKeys = join(simFiles(fleet(), robot).home, '.ssh', 'authorized_keys');
    const home = makeHome();
    const dir = projectDir();
    await makeWorkspace(dir, { name: 'trust' });
    const envFile = writeKeylessEnv(dir, 'trust', { pwbot: `${fleet().user}@${robot.address}` });
    const before = readFileSync(authorizedKeys, 'utf8');

    const noPassword = await runScriptAsync('setup.ts', ['pwbot', '--env-file', envFile], {
      ...NO_USER_SSH,
      HOME: home,
    });
    assert.match(
      noPassword.output,
      /^key on pwbot\s+skipped\s+pwbot does not accept your key yet and there is no password: run on a terminal or set RD_SSH_PASSWORD$/m,
    );
    assert.equal(readFileSync(authorizedKeys, 'utf8'), before, 'authorized_keys untouched');

    const wrong = await runScriptAsync('setup.ts', ['pwbot', '--env-file', envFile, '--accept-new-host-key'], {
      ...NO_USER_SSH,
      HOME: home,
      RD_SSH_PASSWORD: 'not-the-password',
    });
    assert.equal(wrong.code, 1, wrong.output);
    assert.match(
      wrong.output,
      /^key on pwbot\s+failed\s+pwbot \(rdsim@[\d.]+\) did not accept the password; your key was not added\. Check RD_SSH_PASSWORD/m,
    );
    assert.equal(readFileSync(authorizedKeys, 'utf8'), before, 'authorized_keys untouched');
    assert.equal(new KnownHosts(join(dir, 'known_hosts')).pinned('pwbot').length, 0, 'a failed login pins no host key');
  });

  test('a changed host key is refused before anything runs; --forget-host lets the next deploy pin the new one', async () => {
    const robot = fleet().robot('tofu');
    const dir = projectDir();
    const workspace = await makeWorkspace(dir, { name: 'trustpin' });
    const envFile = writeProjectEnv(dir, fleet(), [robot], 'trustpin');
    const knownHosts = join(dir, 'known_hosts');
    const ref = `${TEST_IMAGE}:trustpin`;
    const robotFp = fingerprintOf(`${robot.hostKeyPath}.pub`);
    const robotKeyBlob = blobOf(readFileSync(`${robot.hostKeyPath}.pub`, 'utf8'));

    const first = await runScriptAsync('deploy.ts', ['tofu', '--env-file', envFile]);
    assert.equal(first.code, 0, first.output);
    assert.match(first.output, new RegExp(`first contact, pinned ssh-ed25519 host key ${robotFp.replace(/[+/]/g, '\\$&')}`));
    assert.match(
      readFileSync(knownHosts, 'utf8'),
      new RegExp(`^tofu ssh-ed25519 ${robotKeyBlob.replace(/[+/]/g, '\\$&')}$`, 'm'),
      'pinned beside robots.env under the robot name',
    );
    const deployedId = imageIdOn(robot, ref);
    assert.ok(deployedId);

    // Someone else answers at the robot's address now (as far as our pin is concerned).
    const other = newKeyPair(dir, 'impostor_ed25519');
    const otherFp = fingerprintOf(`${other}.pub`);
    const otherLine = `tofu ${readFileSync(`${other}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ')}`;
    const forged = readFileSync(knownHosts, 'utf8').replace(/^tofu .*$/m, otherLine);
    writeFileSync(knownHosts, forged);
    await workspace.setTop('a change that must not be shipped');
    const logins = acceptedLogins(fleet(), robot).length;
    const uploads = blobUploads(robot);
    const registryBefore = registryLogs(robot);

    const refused = await runScriptAsync('deploy.ts', ['tofu', '--env-file', envFile]);
    assert.equal(refused.code, 1, refused.output);
    assert.match(refused.output, /HOST KEY CHANGED/);
    assert.ok(refused.output.includes(robotFp), `names the key the robot presents (${robotFp})`);
    assert.ok(refused.output.includes(otherFp), `names the pinned key (${otherFp})`);
    assert.match(refused.output, /npx tsx scripts\/setup\.ts --forget-host tofu/);
    assert.match(refused.output, /^tofu\s+failed\s+tofu \(rdsim@[\d.]+\): HOST KEY CHANGED/m);
    assert.equal(acceptedLogins(fleet(), robot).length, logins, 'no SSH login happened');
    assert.equal(imageIdOn(robot, ref), deployedId, 'IMAGE:WS unchanged');
    assert.equal(blobUploads(robot), uploads, 'nothing pushed');
    assert.equal(registryLogs(robot), registryBefore, 'the registry saw no request at all');
    assert.equal(readFileSync(knownHosts, 'utf8'), forged, 'the pin is not overwritten');

    const doctor = await runScriptAsync('doctor.ts', ['tofu', '--env-file', envFile]);
    assert.equal(doctor.code, 1, doctor.output);
    assert.match(doctor.output, /^✔ tofu\s+reachable\s/m);
    assert.match(doctor.output, /^✖ tofu\s+host key\s+.*HOST KEY CHANGED/m);
    assert.match(doctor.output, /^\s+fix: npx tsx scripts\/setup\.ts --forget-host tofu \(only if the robot was reinstalled\)$/m);
    assert.doesNotMatch(doctor.output, /^. tofu\s+authenticated/m, 'doctor does not log in past a changed key');
    assert.equal(acceptedLogins(fleet(), robot).length, logins, 'doctor did not log in either');

    const forget = await runScriptAsync('setup.ts', ['--forget-host', 'tofu', '--env-file', envFile]);
    assert.equal(forget.code, 0, forget.output);
    assert.match(forget.output, new RegExp(`forgot 1 pinned host key\\(s\\) of tofu in ${knownHosts}`));
    assert.doesNotMatch(readFileSync(knownHosts, 'utf8'), /^tofu /m);

    const again = await runScriptAsync('deploy.ts', ['tofu', '--env-file', envFile]);
    assert.equal(again.code, 0, again.output);
    assert.ok(again.output.includes(`first contact, pinned ssh-ed25519 host key ${robotFp}`), again.output);
    assert.match(readFileSync(knownHosts, 'utf8'), new RegExp(`^tofu ssh-ed25519 ${robotKeyBlob.replace(/[+/]/g, '\\$&')}$`, 'm'));
    const newId = imageIdOn(undefined, ref);
    assert.notEqual(newId, deployedId);
    assert.equal(imageIdOn(robot, ref), newId, 'the change lands once the real key is pinned again');
  });

  test("a robot without registry:2 (and without internet) gets the laptop's copy over SSH", async () => {
    const robot = fleet().robot('noreg');
    assert.equal(imageIdOn(robot, 'registry:2'), undefined, 'the robot starts without registry:2');
    assert.equal(
      execFileSync('ip', ['-n', robot.netns, 'route', 'show', 'default'], { encoding: 'utf8' }).trim(),
      '',
      "no route off the robot's link: no internet",
    );
    const laptopRegistry = imageIdOn(undefined, 'registry:2');
    assert.ok(laptopRegistry, 'the laptop holds registry:2');
    const dir = projectDir();
    await makeWorkspace(dir, { name: 'trustnoreg', baseSizeMiB: 2 });
    const envFile = writeProjectEnv(dir, fleet(), [robot], 'trustnoreg');

    const result = await runScriptAsync('deploy.ts', ['noreg', '--env-file', envFile]);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /noreg has no registry:2; carrying it over SSH from the laptop/);
    assert.equal(imageIdOn(robot, 'registry:2'), laptopRegistry, "the robot holds the laptop's registry:2, same image ID");
    assert.equal(
      dockerOn(robot, ['container', 'inspect', '--format', '{{.State.Status}} {{.Config.Image}}', 'robot-deploy-registry']),
      'running registry:2',
    );
    const ref = `${TEST_IMAGE}:trustnoreg`;
    assert.equal(imageIdOn(robot, ref), imageIdOn(undefined, ref), 'IMAGE:WS lands with the laptop image ID');
    assert.match(result.output, /^noreg\s+deployed\s+rd-e2e:trustnoreg [0-9a-f]{12}; /m);
  });

  test('doctor: all rows pass on a healthy robot; a cut link and an unregistered key each fail with a fix', async () => {
    const robot = fleet().robot('tofu');
    const dir = projectDir();
    await makeWorkspace(dir, { name: 'trustdoc' });
    const envFile = writeProjectEnv(dir, fleet(), [robot], 'trustdoc');
    const deployed = await runScriptAsync('deploy.ts', ['tofu', '--env-file', envFile]);
    assert.equal(deployed.code, 0, deployed.output);

    const healthy = await runScriptAsync('doctor.ts', ['tofu', '--env-file', envFile]);
    const rows: [string, RegExp][] = [
      ['reachable', new RegExp(`^${robot.address.replace(/\./g, '\\.')}:22 answers$`)],
      ['host key', /^SHA256:\S+ matches the pinned key$/],
      ['authenticated', /^as rdsim$/],
      ['docker usable', /^Docker \S+ linux\/amd64 \(\/usr\/bin\/docker\)$/],
      ['image store', /^classic \(image IDs are config digests\)$/],
      ['platform', /^linux\/amd64 matches the engine$/],
      ['registry image', /^registry:2 present$/],
      ['registry', /^running on 127\.0\.0\.1:5000$/],
      ['free disk', /^\d+\.\d GB free for docker$/],
    ];
    for (const [check, detail] of rows) {
      const row = doctorRow(healthy.output, '✔', 'tofu', check);
      assert.ok(row, `"✔ tofu ${check}" in:\n${healthy.output}`);
      assert.match(row[1], detail);
    }
    assert.doesNotMatch(healthy.output, /^✖ tofu/m);
    // The laptop rows depend on this machine (buildx, its builder); only they may fail the run.
    const laptopFailures = healthy.output.split('\n').filter((line) => line.startsWith('✖ laptop'));
    assert.equal(healthy.code, laptopFailures.length ? 1 : 0, healthy.output);
    if (!laptopFailures.length) assert.match(healthy.output, /^All checks passed\.$/m);

    await robot.cutLink();
    let cut: Awaited<ReturnType<typeof runScriptAsync>>;
    try {
      cut = await runScriptAsync('doctor.ts', ['tofu', '--env-file', envFile]);
    } finally {
      await robot.restoreLink();
    }
    assert.equal(cut.code, 1, cut.output);
    assert.match(cut.output, new RegExp(`^✖ tofu\\s+reachable\\s+${robot.address.replace(/\./g, '\\.')}:22: \\S`, 'm'));
    assert.match(cut.output, /^\s+fix: check TOFU_HOST in robots\.env, that the robot is on, and that the laptop is on its network$/m);
    assert.doesNotMatch(cut.output, /^. tofu\s+authenticated/m, 'nothing past an unreachable robot');
    assert.ok(cut.ms < 15_000, `doctor gave up on the cut link within seconds (${cut.ms.toFixed(0)} ms)`);

    const stranger = newKeyPair(dir, 'unregistered_ed25519');
    const strangerEnv = join(dir, 'stranger.env');
    writeFileSync(strangerEnv, readFileSync(envFile, 'utf8').replace(/^SSH_KEY=.*$/m, `SSH_KEY=${stranger}`));
    const denied = await runScriptAsync('doctor.ts', ['tofu', '--env-file', strangerEnv], NO_USER_SSH);
    assert.equal(denied.code, 1, denied.output);
    assert.match(denied.output, /^✔ tofu\s+reachable\s/m);
    assert.match(denied.output, /^✔ tofu\s+host key\s/m);
    assert.ok(
      doctorRow(denied.output, '✖', 'tofu', 'authenticated')?.[1].includes(`authentication failed; tried key ${stranger}`),
      denied.output,
    );
    assert.match(denied.output, /^\s+fix: npx tsx scripts\/setup\.ts tofu$/m);
    assert.doesNotMatch(denied.output, /^. tofu\s+docker usable/m);
  });

  test('a ~/.ssh/config alias supplies address, user and key (RD_SSH_CONFIG)', async () => {
    const robot = fleet().robot('tofu');
    const home = makeHome();
    const dir = projectDir();
    await makeWorkspace(dir, { name: 'trustalias' });
    const sshConfig = join(home, 'robots_ssh_config');
    writeFileSync(
      sshConfig,
      ['Host myrobot', `  HostName ${robot.address}`, `  User ${fleet().user}`, `  IdentityFile ${fleet().keyPath}`, ''].join('\n'),
    );
    const envFile = writeKeylessEnv(dir, 'trustalias', { myrobot: 'myrobot' });
    const result = await runScriptAsync('deploy.ts', ['myrobot', '--env-file', envFile], {
      ...NO_USER_SSH,
      HOME: home,
      RD_SSH_CONFIG: sshConfig,
    });
    assert.equal(result.code, 0, result.output);
    const ref = `${TEST_IMAGE}:trustalias`;
    assert.equal(imageIdOn(robot, ref), imageIdOn(undefined, ref), 'the alias led to the right robot');
    assert.match(result.output, /^myrobot\s+deployed\s/m);
    const robotKeyBlob = blobOf(readFileSync(`${robot.hostKeyPath}.pub`, 'utf8'));
    assert.ok(
      readFileSync(join(dir, 'known_hosts'), 'utf8').includes(`myrobot ssh-ed25519 ${robotKeyBlob}`),
      'pinned under the robot name',
    );
  });
  test('first contact: doctor pins nothing; an unwritable known_hosts fails the deploy cleanly; --forget-host all forgets every robot', async () => {
    const robot = fleet().robot('tofu');
    const dir = projectDir();
    await makeWorkspace(dir, { name: 'trustkh' });
    const envFile = writeProjectEnv(dir, fleet(), [robot], 'trustkh');
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, '# pins\n');

    const doctor = await runScriptAsync('doctor.ts', ['tofu', '--env-file', envFile]);
    assert.match(doctor.output, /^! tofu\s+host key\s+first contact: SHA256:\S+, not pinned yet$/m);
    assert.equal(readFileSync(knownHosts, 'utf8'), '# pins\n', 'doctor wrote nothing');

    execFileSync('chattr', ['+i', knownHosts]);
    let blocked: Awaited<ReturnType<typeof runScriptAsync>>;
    try {
      blocked = await runScriptAsync('deploy.ts', ['tofu', '--env-file', envFile]);
    } finally {
      execFileSync('chattr', ['-i', knownHosts]);
    }
    assert.equal(blocked.code, 1, blocked.output);
    assert.match(
      blocked.output,
      new RegExp(`tofu\\s+failed\\s+tofu: cannot pin a host key in ${knownHosts}: .*Fix the file's permissions`),
    );
    assert.doesNotMatch(blocked.output, /^\s+at /m, 'no stack trace');
    assert.equal(imageIdOn(robot, `${TEST_IMAGE}:trustkh`), undefined, 'nothing deployed past an unpinned key');
    const ports = [...blocked.output.matchAll(/tunnel: 127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
    assert.ok(
      ports.every((port) => !listening(port)),
      'no tunnel left',
    );
    assert.deepEqual(processesMatching(envFile), [], 'no process of that deploy left');

    const both = writeProjectEnv(dir, fleet(), [robot, fleet().robot('noreg')], 'trustkh');
    assert.equal((await runScriptAsync('deploy.ts', ['all', '--env-file', both])).code, 0);
    assert.equal(new KnownHosts(knownHosts).pinned('tofu').length + new KnownHosts(knownHosts).pinned('noreg').length, 2);
    const forget = await runScriptAsync('setup.ts', ['--forget-host', 'all', '--env-file', both]);
    assert.equal(forget.code, 0, forget.output);
    assert.match(forget.output, /forgot 1 pinned host key\(s\) of tofu/);
    assert.match(forget.output, /forgot 1 pinned host key\(s\) of noreg/);
    assert.equal(readFileSync(knownHosts, 'utf8').trim(), '# pins', 'only the comment is left');
  });
});
