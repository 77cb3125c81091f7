// bench.ts's flags, and the host it needs (Linux, root, the simulator's tools).
import { accessSync, constants } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../../lib/config/errors.ts';
import type { Launcher } from './robot-deploy-contender.ts';

import { SCENARIOS, type ScenarioKey } from './scenarios.ts';

const LAPTOP_ENGINES = ['docker20', 'docker26', 'desktop', 'colima'] as const;
type LaptopEngine = (typeof LAPTOP_ENGINES)[number];

function parseLaptopEngineOption(value: string | undefined): LaptopEngine {
  const engine = LAPTOP_ENGINES.find((name) => name === (value ?? 'docker20'));
  if (!engine) throw new UsageError(`--laptop-engine ${value}: use ${LAPTOP_ENGINES.join(', ')}`);
  return engine;
}

export const HELP = `
Usage: npx tsx scripts/dev/bench.ts [--rounds N | --quick] [--scenario KEY]... [--as-users] [--docker PATH]
                                   [--laptop-engine docker20|docker26|desktop|colima]
       npm run bench -- [options]

Measures robot-deploy against two baselines on simulated robots (100 Mbit/s links, a ~150 MB
workspace): the post's registry flow with plain OpenSSH, and docker save | gzip | ssh docker load.
Two harsher scenarios pit it against the OpenSSH flow alone: a 12 MB change over 2 Mbit/s (slow)
and a small change over a 50 ms RTT link (far). watch times deploy --watch from a save to the new
image on the robot; ros, ros20 and ros2 deploy a one-package rebuild of a ROS-like workspace (a
~400 MB base of shared libraries, one 60 MB layer of 300 binaries of which 3 change) at 100, 20 and
2 Mbit/s (at most 2 rounds), robot-deploy with its default settings (DELTA=auto), bytes against the floor;
ros-first is that image's first deploy. routes times a small change by each of robot-deploy's push
routes on one engine: docker push through the tunnel, staged in the engine's own registry, and
uploaded from docker save (choose the engine with --laptop-engine; desktop and colima run it in a
VM-like namespace, where only robot-deploy's routes work, so use them with --scenario routes).
Runs alternate (robot-deploy, OpenSSH flow, save|gzip|load, robot-deploy, …); every run is
checked (image ID on the robot, bytes on the link). Prints medians, ratios, robot-deploy's
per-step times and peak memory, and a markdown table for the README. Linux and root only;
uses its own sim scope (rdb, 10.76.0.0/16, /var/tmp/robot-deploy-sim-bench), always torn down.

Options:
  --rounds N        measured runs per tool and scenario (default 5)
  --quick           2 rounds (for trying things out)
  --scenario KEY    only this scenario (repeatable): ${SCENARIOS.map((s) => s.key).join(', ')}
  --as-users        run robot-deploy as users type it: npx tsx scripts/deploy.ts (default: node --import tsx)
  --docker PATH     the laptop's docker CLI for every tool (e.g. /usr/bin/docker, BuildKit built in);
                    default: the first on PATH. The baselines build with BuildKit when the CLI has it
  --laptop-engine E the simulator's laptop engine (default docker20, the host's): docker26 (Debian 13,
                    containerd store, buildx), desktop or colima (the same daemon in a VM-like namespace)
  -h, --help        this help

Exit codes: 0 done (see the table for targets), 1 a run failed, 2 usage or wrong host, 130 Ctrl-C, 143 SIGTERM.
After a hard kill (SIGKILL) the next run removes the stale robots first, or remove them now with
  RD_SIM_PREFIX=rdb RD_SIM_NET=10.76 RD_SIM_DIR=/var/tmp/robot-deploy-sim-bench npx tsx scripts/dev/sim-robot.ts down`;

export interface BenchOptions {
  rounds: number;
  scenarios: ScenarioKey[];
  launcher: Launcher;
  dockerCli?: string;
  laptopEngine: LaptopEngine;
}

const parseFlags = (argv: string[]) =>
  parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string' },
      quick: { type: 'boolean' },
      scenario: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
      'as-users': { type: 'boolean' },
      docker: { type: 'string' },
      'laptop-engine': { type: 'string' },
    },
    strict: true,
  });

export function parseBenchArgs(argv: string[]): BenchOptions | 'help' {
  let values: ReturnType<typeof parseFlags>['values'];
  try {
    ({ values } = parseFlags(argv));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  if (values.quick && values.rounds) throw new UsageError('give --rounds or --quick, not both');
  const rounds = values.quick ? 2 : Number(values.rounds ?? 5);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 100)
    throw new UsageError(`--rounds must be an integer from 1 to 100, got ${values.rounds}`);
  const known = SCENARIOS.map((s) => s.key);
  const scenarios = (values.scenario ?? known) as ScenarioKey[];
  const unknown = scenarios.filter((key) => !known.includes(key));
  if (unknown.length) throw new UsageError(`unknown scenario ${unknown.join(', ')}; use ${known.join(', ')}`);
  // The 2-robot target is a ratio to the 1-robot small change, so that one always runs with it.
  if (scenarios.includes('two') && !scenarios.includes('small')) scenarios.push('small');
  if (values.docker !== undefined && !isAbsolute(values.docker))
    throw new UsageError(`--docker wants the absolute path of a docker CLI, got ${values.docker}`);
  if (values.docker !== undefined && !executable(values.docker)) throw new UsageError(`--docker ${values.docker}: no executable there`);
  const laptopEngine = parseLaptopEngineOption(values['laptop-engine']);
  return {
    rounds,
    laptopEngine,
    scenarios: known.filter((key) => scenarios.includes(key)),
    launcher: values['as-users'] ? 'npx tsx' : 'node --import tsx',
    ...(values.docker ? { dockerCli: values.docker } : {}),
  };
}

const TOOLS = [
  'docker',
  'dockerd',
  'ssh',
  'sshd',
  'gzip',
  'ip',
  'tc',
  'nsenter',
  'unshare',
  'docker-registry',
  'busybox',
  'ssh-keygen',
  'tar',
  'ldd',
];
const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(tool: string): boolean {
  return [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SYSTEM_DIRS].some((dir) => executable(join(dir, tool)));
}

/** Why this machine cannot run the benchmark, or undefined when it can. */
export function hostProblem(): string | undefined {
  if (process.platform !== 'linux') return `the benchmark runs simulated robots, which need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0)
    return 'the benchmark runs simulated robots, which need root (network namespaces, veth, tc, dockerd, sshd); run it with sudo';
  const missing = TOOLS.filter((tool) => !onPath(tool));
  if (missing.length)
    return `missing ${missing.join(', ')} (apt-get install docker.io docker-registry openssh-server openssh-client busybox-static iproute2 gzip)`;
  return undefined;
}
