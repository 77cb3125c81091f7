// Baseline (b): the post's registry flow as a user types it with plain OpenSSH. Every remote
// step is a separate `ssh` (a fresh connection each), the tunnel is an `ssh -N -L` child, and
// readiness is the post's "sleep 1; curl /v2/" loop.
import { request } from 'node:http';
import type { SimRobot } from '../sim/harness.ts';
import type { BenchProject } from './bench-project.ts';
import { launch, type Running, runArgv } from './child-processes.ts';
import type { Contender, RunSample, StepTime } from './contender.ts';
import { remoteBoth, remoteEither, sshArgv } from './openssh-argv.ts';

/** Apart from robot-deploy's robot-deploy-registry on the robot's 127.0.0.1:5000. */
const CONTAINER = 'bench-registry';
const ROBOT_PORT = 5100;
/** Laptop end of the tunnel: 5101 for the first robot, 5102 for the second, … */
const LAPTOP_PORT_BASE = 5101;
const READY_TRIES = 15;

function registryAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/v2/', agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function waitLikeThePost(port: number, tunnel: Running): Promise<void> {
  let exited = false;
  void tunnel.done.then(() => (exited = true));
  for (let i = 0; i < READY_TRIES; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (exited) throw new Error(`ssh -L 127.0.0.1:${port} exited: ${(await tunnel.done).stderr.trim()}`);
    if (await registryAnswers(port)) return;
  }
  throw new Error(`the registry did not answer through 127.0.0.1:${port} after ${READY_TRIES} s`);
}

/** Times each step under the robot's name, like robot-deploy's --timings, to compare step by step. */
function stepTimer(steps: StepTime[], who: string) {
  return async <T>(step: string, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      steps.push({ who, step, ms: performance.now() - start });
    }
  };
}

async function shipToRobot(project: BenchProject, robot: SimRobot, laptopPort: number, steps: StepTime[]): Promise<void> {
  const { fleet, ref } = project;
  const time = stepTimer(steps, robot.name);
  const start = [
    'docker',
    'run',
    '-d',
    '--name',
    CONTAINER,
    '--restart=always',
    '-p',
    `127.0.0.1:${ROBOT_PORT}:5000`,
    '-v',
    `${CONTAINER}:/var/lib/registry`,
    'registry:2',
  ];
  await time('registry', () => runArgv(sshArgv(fleet, robot, remoteEither(start, ['docker', 'start', CONTAINER])), { timeoutMs: 60_000 }));
  const forward = `127.0.0.1:${laptopPort}:127.0.0.1:${ROBOT_PORT}`;
  const tunnel = launch(sshArgv(fleet, robot, undefined, ['-N', '-o', 'ExitOnForwardFailure=yes', '-L', forward]));
  try {
    await time('tunnel', () => waitLikeThePost(laptopPort, tunnel));
    const pushRef = `localhost:${laptopPort}/${ref}`;
    await time('push', async () => {
      await runArgv(['docker', 'tag', ref, pushRef]);
      await runArgv(['docker', 'push', pushRef], { timeoutMs: 600_000 });
    });
    const pullRef = `localhost:${ROBOT_PORT}/${ref}`;
    const pullAndTag = remoteBoth(['docker', 'pull', pullRef], ['docker', 'tag', pullRef, ref]);
    await time('pull & tag', () => runArgv(sshArgv(fleet, robot, pullAndTag), { timeoutMs: 600_000 }));
  } finally {
    await time('clean up', async () => {
      tunnel.child.kill('SIGTERM');
      await tunnel.done;
    });
  }
}

export function registryFlowBaseline(project: BenchProject): Contender {
  return {
    key: 'openssh-flow',
    async deploy(robots): Promise<RunSample> {
      const steps: StepTime[] = [];
      const start = performance.now();
      await stepTimer(steps, 'laptop')(`build ${project.ref.split(':')[1]}`, () => runArgv(project.buildArgv, { timeoutMs: 600_000 }));
      await Promise.all(robots.map((robot, i) => shipToRobot(project, robot, LAPTOP_PORT_BASE + i, steps)));
      return { ms: performance.now() - start, steps };
    },
    async afterRun(robots) {
      const tags = robots.map((_, i) => `localhost:${LAPTOP_PORT_BASE + i}/${project.ref}`);
      await runArgv(['docker', 'image', 'rm', '--no-prune', ...tags], { allowFail: true });
    },
  };
}
