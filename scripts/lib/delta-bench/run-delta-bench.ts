// The delta measurement: a one-package rebuild of a ROS-like workspace deployed to a simulated
// robot on a 100 Mbit/s link, alternating the delta with today's docker push (`--no-delta`) in the
// same run; bytes counted on the link itself (host veth), every image checked on the robot.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesToRobot, imageIdOn } from '../bench/robot-checks.ts';
import { downSimFleet, ensureLaptopDocker, stopLaptopDockerIfOurs, upSimFleet, type SimFleet } from '../sim/harness.ts';
import { hostPlatform } from '../sim/names.ts';
import { writeRobotsEnvFile } from '../sim/robots-env.ts';
import { makeRosWorkspace, ROS_WS } from './ros-workspace.ts';

const SCOPE = { prefix: 'rdd', subnet: '10.75', stateDir: '/var/tmp/robot-deploy-sim-delta' } as const;
const IMAGE = 'rd-delta-bench';
const DEPLOY = fileURLToPath(new URL('../../deploy.ts', import.meta.url));

interface Sample { mode: 'delta' | 'push'; seconds: number; wire: number; floor: number }

function deploy(envFile: string, args: string[]): Promise<{ code: number; output: string; seconds: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', DEPLOY, 'sim1', '--env-file', envFile, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, output, seconds: (performance.now() - started) / 1000 })));
}

async function measured(fleet: SimFleet, envFile: string, args: string[]): Promise<{ seconds: number; wire: number; output: string }> {
  const robot = fleet.robot('sim1');
  const before = bytesToRobot(robot);
  const result = await deploy(envFile, [...args, '--timings']);
  if (result.code !== 0) throw new Error(`deploy ${args.join(' ')} failed:\n${result.output}`);
  const ref = `${IMAGE}:${ROS_WS}`;
  if ((await imageIdOn(robot, ref)) !== (await imageIdOn(undefined, ref))) throw new Error(`the robot's ${ref} is not the laptop's`);
  return { seconds: result.seconds, wire: bytesToRobot(robot) - before, output: result.output };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function runDeltaBench(rounds: number, print: (line: string) => void): Promise<void> {
  const started = await ensureLaptopDocker(SCOPE.stateDir);
  try {
    const fleet = await upSimFleet({ ...SCOPE, names: ['sim1'], rate: '100mbit' });
    const dir = join(SCOPE.stateDir, 'project');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const ws = makeRosWorkspace(dir);
    const envFile = join(dir, 'robots.env');
    await writeRobotsEnvFile(envFile, { image: IMAGE, context: '.', workspaces: [ROS_WS], platform: hostPlatform(), sshKey: fleet.keyPath, registryPort: 5000, robots: fleet.robots });
    // The delta is opt-in; the push rounds turn it off with --no-delta.
    appendFileSync(envFile, 'DELTA=on\n');
    print(`ROS-like layer: ${(ws.layerBytes / 1e6).toFixed(1)} MB in 300 files; link 100 Mbit/s; ${rounds} rounds of each, alternating`);
    const first = await measured(fleet, envFile, []);
    print(`first deploy (docker push): ${first.seconds.toFixed(2)} s, ${(first.wire / 1e6).toFixed(1)} MB on the link`);
    const samples: Sample[] = [];
    for (let round = 0; round < rounds; round += 1) {
      for (const mode of round % 2 ? (['push', 'delta'] as const) : (['delta', 'push'] as const)) {
        const floor = ws.rebuildOnePackage();
        const run = await measured(fleet, envFile, mode === 'push' ? ['--no-delta'] : []);
        if (mode === 'delta' && !/delta, 1 new layer/.test(run.output)) throw new Error(`the delta round did not use the delta:\n${run.output}`);
        samples.push({ mode, seconds: run.seconds, wire: run.wire, floor });
        const timing = /laptop [\d.]+ s, robot [^)]*/.exec(run.output)?.[0] ?? "";
        const steps = /\nTimings:\n([\s\S]*?)\npeak memory/.exec(run.output)?.[1].replace(/\s+/g, ' ') ?? '';
        print(`  ${mode.padEnd(5)} ${run.seconds.toFixed(2)} s ${timing} [${steps}], ${(run.wire / 1e3).toFixed(0)} kB on the link, floor ${(floor / 1e3).toFixed(0)} kB (${(run.wire / floor).toFixed(2)}x)`);
      }
    }
    const of = (mode: Sample['mode']) => samples.filter((s) => s.mode === mode);
    const [delta, push] = [of('delta'), of('push')];
    const floor = median(samples.map((s) => s.floor));
    print('| one-package rebuild (3 of 300 files) | median time | median bytes on the link | × floor |');
    print('|---|---:|---:|---:|');
    for (const [label, set] of [['delta', delta], ['docker push (--no-delta)', push]] as const) {
      print(`| ${label} | ${median(set.map((s) => s.seconds)).toFixed(2)} s | ${(median(set.map((s) => s.wire)) / 1e3).toFixed(0)} kB | ${(median(set.map((s) => s.wire / s.floor))).toFixed(2)}× |`);
    }
    print(`floor (gzip of the 3 changed files): ${(floor / 1e3).toFixed(0)} kB; time delta / push: ${(median(delta.map((s) => s.seconds)) / median(push.map((s) => s.seconds))).toFixed(2)}×`);
  } finally {
    await downSimFleet(SCOPE);
    if (started.started) await stopLaptopDockerIfOurs(SCOPE.stateDir);
  }
}
