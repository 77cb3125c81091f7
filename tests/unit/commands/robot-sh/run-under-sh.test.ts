import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { parsePullAndTag, pullAndTag, rollback } from '../../../../scripts/lib/commands/robot-docker.ts';
import { ROBOT_LOCK, ROBOT_LOCK_UNUSABLE } from '../../../../scripts/lib/commands/robot-lock-script.ts';
import { removeImages } from '../../../../scripts/lib/commands/robot-prune.ts';
import { ENSURE_NO_IMAGE, ENSURE_PORT_BUSY, ensureRegistry, parseEnsureOutput } from '../../../../scripts/lib/commands/robot-registry.ts';
import { joinPosix } from '../../../../scripts/lib/shell/posix-quote.ts';
import { tempDir } from '../../../support/cli.ts';
import { FakeDocker } from '../../../support/fake-docker.ts';
import { makeLockDir, withLockDir, withLockDirText } from '../../../support/lock-dir.ts';
import { robotShellTest, skipOrFail } from '../../../support/skip.ts';

const OLD = `sha256:${'1'.repeat(64)}`;
const NEW = `sha256:${'2'.repeat(64)}`;

/** A port free on this machine now (the ensure script looks at the real /proc/net/tcp). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

robotShellTest('registry absent: created on the host network, listening on 127.0.0.1 only, with a volume and restart=always', async () => {
  const port = await freePort();
  const docker = new FakeDocker().set('has-registry-image', '');
  const result = docker.run(ensureRegistry(port));
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(parseEnsureOutput(result.stdout), { status: 'created', port });
  const run = docker.calls().find((c) => c.startsWith('run '));
  assert.equal(
    run,
    `run -d --name robot-deploy-registry --restart always --network host -v robot-deploy-registry:/var/lib/registry -e REGISTRY_HTTP_ADDR=127.0.0.1:${port} -e REGISTRY_STORAGE_DELETE_ENABLED=true registry:2`,
  );
  assert.ok(!run.includes(' -p '), 'nothing published: Docker before 28 opens 127.0.0.1-published ports to the LAN');
});

robotShellTest('registry running on the host network: nothing is started', () => {
  const docker = new FakeDocker().set('state', 'running').set('net', 'host REGISTRY_HTTP_ADDR=127.0.0.1:5000');
  const result = docker.run(ensureRegistry(5000));
  assert.deepEqual(parseEnsureOutput(result.stdout), { status: 'running', port: 5000 });
  assert.ok(!docker.calls().some((c) => c.startsWith('run ') || c.startsWith('start ')));
});

robotShellTest('registry stopped: started again, and ready once it listens', async () => {
  const port = await freePort();
  const docker = new FakeDocker().set('state', 'exited').set('net', `host REGISTRY_HTTP_ADDR=127.0.0.1:${port}`);
  const result = docker.run(ensureRegistry(port));
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(parseEnsureOutput(result.stdout), { status: 'started', port });
});

robotShellTest('a registry published with -p by an older robot-deploy is recreated on the host network, on its port', async () => {
  const port = await freePort();
  const docker = new FakeDocker().set('state', 'running').set('has-registry-image', '');
  const result = docker.run(ensureRegistry(5000), { FAKE_BIND: `127.0.0.1:${port}` });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(parseEnsureOutput(result.stdout), { status: 'recreated', port });
  assert.ok(docker.calls().includes('rm -f robot-deploy-registry'));
  assert.ok(
    docker.calls().some((c) => c.startsWith('run ') && c.includes(`--network host`) && c.includes(`REGISTRY_HTTP_ADDR=127.0.0.1:${port}`)),
  );
});

robotShellTest('a teammate created it a moment ago: our run loses the name race and starts theirs once dockerd shows it', async () => {
  // A free port, not 5000: the ensure script reads this machine's real /proc/net/tcp, and local-port.test.ts
  // holds 5000 while it runs beside this file.
  const port = await freePort();
  // dockerd reserves the name before the container can be inspected or started ("No such container"):
  // here it shows up on the third look after our first.
  const docker = new FakeDocker()
    .set('has-registry-image', '')
    .set('appears-after', '4')
    .set('net', `host REGISTRY_HTTP_ADDR=127.0.0.1:${port}`)
    .set('run-error', 'Conflict. The container name "/robot-deploy-registry" is already in use');
  const result = docker.run(ensureRegistry(port));
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(parseEnsureOutput(result.stdout), { status: 'running', port });
  const calls = docker.calls();
  assert.equal(calls.filter((c) => c === 'container inspect robot-deploy-registry').length, 3, 'waited for it to appear');
  assert.ok(calls.includes('start robot-deploy-registry'));
});

robotShellTest("a teammate's registry already listens on the port when we get there: theirs is used, not called port-busy", async () => {
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
  const { port } = squatter.address() as AddressInfo;
  try {
    const docker = new FakeDocker()
      .set('has-registry-image', '')
      .set('appears-after', '2')
      .set('net', `host REGISTRY_HTTP_ADDR=127.0.0.1:${port}`);
    const result = docker.run(ensureRegistry(port));
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(parseEnsureOutput(result.stdout), { status: 'running', port });
    assert.ok(!docker.calls().some((c) => c.startsWith('run ')));
  } finally {
    squatter.close();
  }
});

robotShellTest('docker run fails and no container ever appears: its own error is shown', async () => {
  const docker = new FakeDocker().set('has-registry-image', '').set('run-error', 'docker: invalid reference format.');
  const result = docker.run(ensureRegistry(await freePort()));
  assert.equal(result.code, 1);
  assert.match(result.stderr, /invalid reference format/);
  assert.ok(!docker.calls().some((c) => c.startsWith('start ')));
});

robotShellTest('two deploys starting the registry at once take turns on its lock: one creates it, the other finds it running', async () => {
  const locks = makeLockDir();
  const port = await freePort();
  // docker run takes a moment: unlocked, both scripts would see no registry and both run one.
  const docker = new FakeDocker().set('has-registry-image', '').set('run-delay', '0.5');
  const ensure = () =>
    new Promise<string>((resolve) => {
      const child = spawn('sh', ['-c', joinPosix(withLockDir(ensureRegistry(port), locks))], {
        env: { ...process.env, FAKE: docker.dir, PATH: `${join(docker.dir, 'bin')}:${process.env.PATH}` },
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.on('exit', (code) => resolve(`${code} ${parseEnsureOutput(stdout).status}`));
    });
  const outcomes = await Promise.all([ensure(), ensure()]);
  assert.deepEqual(outcomes.sort(), ['0 created', '0 running']);
  assert.equal(docker.calls().filter((c) => c.startsWith('run ')).length, 1);
});

robotShellTest('no registry:2 on the robot: reported, never pulled from the internet', () => {
  const docker = new FakeDocker();
  const result = docker.run(ensureRegistry(5000));
  assert.equal(result.code, ENSURE_NO_IMAGE);
  assert.equal(parseEnsureOutput(result.stdout).status, 'no-image');
  assert.ok(!docker.calls().some((c) => c.startsWith('run ') || c.includes('pull')));
});

robotShellTest('port taken by something else: reported before any container is made', async () => {
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
  try {
    const docker = new FakeDocker().set('has-registry-image', '');
    const result = docker.run(ensureRegistry((squatter.address() as AddressInfo).port));
    assert.equal(result.code, ENSURE_PORT_BUSY);
    assert.equal(parseEnsureOutput(result.stdout).status, 'port-busy');
    assert.ok(!docker.calls().some((c) => c.startsWith('run ')));
  } finally {
    squatter.close();
  }
});

robotShellTest('a registry published on the LAN is flagged by the probe and recreated by ensure', async () => {
  assert.deepEqual(parseEnsureOutput('status=running\nbind=0.0.0.0:5000\nnetwork=published\n'), {
    status: 'running',
    port: 5000,
    exposed: '0.0.0.0:5000',
    published: true,
  });
  const docker = new FakeDocker().set('state', 'running').set('has-registry-image', '');
  const port = await freePort();
  const outcome = parseEnsureOutput(docker.run(ensureRegistry(port), { FAKE_BIND: '0.0.0.0:5000' }).stdout);
  assert.deepEqual(outcome, { status: 'recreated', port });
});

robotShellTest('pull and tag: the replaced image is kept as .prev before IMAGE:WS moves', () => {
  const docker = new FakeDocker().set('pulled-id', NEW).set('ids/img_nav', OLD);
  const argv = pullAndTag(`127.0.0.1:5000/img@${NEW.replace('2', '9')}`, 'img:nav', 'img:nav.prev', [NEW]);
  const result = docker.run(argv);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(parsePullAndTag(result.stdout), { deployed: NEW, previous: OLD });
  assert.equal(docker.id('img:nav'), NEW);
  assert.equal(docker.id('img:nav.prev'), OLD);
  const tags = docker.calls().filter((c) => c.startsWith('image tag'));
  assert.deepEqual(tags, [`image tag ${OLD} img:nav.prev`, `image tag ${NEW} img:nav`]);
});

robotShellTest('pull and tag: the same content under a new digest replaces IMAGE:WS without becoming .prev', () => {
  const docker = new FakeDocker()
    .set('pulled-id', NEW)
    .set('ids/img_nav', OLD)
    .set(`fingerprints/${OLD}`, 'same')
    .set(`fingerprints/${NEW}`, 'same');
  const result = docker.run(pullAndTag('127.0.0.1:5000/img@sha256:x', 'img:nav', 'img:nav.prev', [`sha256:${'7'.repeat(64)}`, NEW]));
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(parsePullAndTag(result.stdout), { deployed: NEW, previous: undefined });
  assert.equal(docker.id('img:nav'), NEW);
  assert.equal(docker.id('img:nav.prev'), undefined);
});

robotShellTest('pull fails: IMAGE:WS is not touched', () => {
  const docker = new FakeDocker().set('pull-error', '').set('ids/img_nav', OLD);
  const result = docker.run(pullAndTag('127.0.0.1:5000/img@sha256:x', 'img:nav', 'img:nav.prev', [NEW]));
  assert.notEqual(result.code, 0);
  assert.equal(docker.id('img:nav'), OLD);
  assert.ok(!docker.calls().some((c) => c.startsWith('image tag')));
});

robotShellTest('pulled content is not the built image: refused, IMAGE:WS not touched', () => {
  const docker = new FakeDocker().set('pulled-id', OLD.replace(/1/g, '3')).set('ids/img_nav', OLD);
  const result = docker.run(pullAndTag('127.0.0.1:5000/img@sha256:x', 'img:nav', 'img:nav.prev', [NEW]));
  assert.equal(result.code, 5);
  assert.match(result.stderr, /expected/);
  assert.equal(docker.id('img:nav'), OLD);
});

robotShellTest('rollback swaps IMAGE:WS and IMAGE:WS.prev by ID', () => {
  const docker = new FakeDocker().set('ids/img_nav', NEW).set('ids/img_nav.prev', OLD);
  const result = docker.run(rollback('img:nav', 'img:nav.prev'));
  assert.equal(result.code, 0, result.stderr);
  assert.equal(docker.id('img:nav'), OLD);
  assert.equal(docker.id('img:nav.prev'), NEW);
});

robotShellTest('rollback without a previous image: exit 4, nothing moved', () => {
  const docker = new FakeDocker().set('ids/img_nav', NEW);
  assert.equal(docker.run(rollback('img:nav', 'img:nav.prev')).code, 4);
  assert.equal(docker.id('img:nav'), NEW);
});

robotShellTest('hostile values stay arguments through the remote shell: nothing is executed from them', () => {
  const docker = new FakeDocker().set('pulled-id', NEW);
  const marker = join(docker.dir, 'pwned');
  const evil = `img:$(touch ${marker})`;
  const result = docker.run(pullAndTag(`x;touch ${marker}`, evil, `\`touch ${marker}\``, [NEW]));
  assert.equal(result.code, 0, result.stderr);
  assert.equal(existsSync(marker), false);
  assert.equal(docker.id(evil), NEW);
});

robotShellTest('rollback waits for the robot lock a pull & tag holds, then runs on the tags that pull & tag left', async () => {
  const locks = makeLockDir();
  const docker = new FakeDocker().set('ids/img_nav', NEW).set('ids/img_nav.prev', OLD);
  // Another session on the robot holds the lock for 1.5 s (a pull & tag moving the tags), with a TMPDIR of its
  // own (pam_tmpdir gives each user one): the lock is the same.
  const holder = spawn('sh', ['-c', `${withLockDirText(ROBOT_LOCK, locks)}\nrobot_lock -s\necho locked\nsleep 1.5`], {
    env: { ...process.env, TMPDIR: tempDir('rd-tmp-a-') },
  });
  await new Promise((resolve) => holder.stdout.once('data', resolve));
  const started = Date.now();
  const result = await new Promise<{ code: number | null }>((resolve) => {
    const child = spawn('sh', ['-c', joinPosix(withLockDir(rollback('img:nav', 'img:nav.prev'), locks))], {
      env: {
        ...process.env,
        FAKE: docker.dir,
        TMPDIR: tempDir('rd-tmp-b-'),
        PATH: `${join(docker.dir, 'bin')}:${process.env.PATH}`,
      },
    });
    child.on('exit', (code) => resolve({ code }));
  });
  assert.equal(result.code, 0);
  assert.ok(Date.now() - started >= 1000, `waited for the lock (${Date.now() - started} ms)`);
  assert.equal(docker.id('img:nav'), OLD);
  holder.kill();
});

/** Takes the robot's lock exclusively, its directory moved to `dir`, and prints "locked" and the lock file. */
function takeLock(dir: string, home = tempDir('rd-home-')) {
  const result = spawnSync('sh', ['-c', `${withLockDirText(ROBOT_LOCK, dir)}\nrobot_lock -x\necho locked\necho "$lock"`], {
    encoding: 'utf8',
    timeout: 10_000,
    env: { ...process.env, HOME: home },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

robotShellTest(
  'the lock lives in a directory no other account can use: one open to others, a symlink, or a FIFO is refused with the fix',
  () => {
    const open = makeLockDir();
    chmodSync(open, 0o2777);
    const refused = takeLock(open);
    assert.equal(refused.code, ROBOT_LOCK_UNUSABLE, refused.stderr);
    assert.match(
      refused.stderr,
      new RegExp(`${open} \\(mode 2777\\) is open to other accounts, which could hold the lock; run on the robot: sudo chmod o= ${open}`),
    );
    const link = join(tempDir('rd-lock-'), 'robot-deploy');
    symlinkSync(makeLockDir(), link);
    assert.match(takeLock(link).stderr, /is not a directory; replace it/);
    assert.equal(takeLock(link).code, ROBOT_LOCK_UNUSABLE);
    // A FIFO where the lock file goes made `exec 9<` block for ever.
    const fifo = makeLockDir();
    execFileSync('mkfifo', [join(fifo, 'robot-deploy.lock')]);
    const blocked = takeLock(fifo);
    assert.equal(blocked.code, ROBOT_LOCK_UNUSABLE, blocked.stderr);
    assert.match(blocked.stderr, /cannot create the lock .*robot-deploy\.lock: .*or remove what is there/);
    assert.equal(takeLock(makeLockDir()).stdout.trim().split('\n')[0], 'locked');
  },
);

robotShellTest("no lock directory, and no right to make one: the account's own, closed directory in its home, not an unlocked run", () => {
  const parent = join(tempDir('rd-lock-'), 'a-file');
  writeFileSync(parent, '');
  const home = tempDir('rd-home-');
  const result = takeLock(join(parent, 'robot-deploy'), home);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(result.stdout.trim().split('\n'), ['locked', join(home, '.cache/robot-deploy/locks/robot-deploy.lock')]);
  assert.equal(statSync(join(home, '.cache/robot-deploy/locks')).mode & 0o777, 0o700);
  chmodSync(join(home, '.cache/robot-deploy/locks'), 0o777);
  const open = takeLock(join(parent, 'robot-deploy'), home);
  assert.equal(open.code, ROBOT_LOCK_UNUSABLE, 'an own directory others can write is refused too');
  assert.match(open.stderr, /is open to other accounts; run on the robot: chmod 700/);
});

robotShellTest('as root the lock directory is made on first use: 2770, owned by root, group of docker.sock', (t) => {
  if (process.getuid?.() !== 0) return skipOrFail(t, 'making the directory as root needs root');
  const dir = join(tempDir('rd-lock-'), 'robot-deploy');
  const result = takeLock(dir);
  assert.equal(result.stdout.trim(), `locked\n${dir}/robot-deploy.lock`, result.stderr);
  const made = statSync(dir);
  assert.equal(made.mode & 0o7777, 0o2770);
  assert.equal(made.uid, 0);
});

robotShellTest('prune removes only images that are still untagged when it holds the lock', () => {
  const docker = new FakeDocker().set('ids/img_nav', NEW);
  const result = docker.run(removeImages([OLD, NEW]), { FAKE_TAGGED: NEW });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(
    docker.calls().filter((c) => c.startsWith('image rm')),
    [`image rm ${OLD}`],
  );
});
