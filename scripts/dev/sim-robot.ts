// Simulated robots on this machine: network namespaces with their own dockerd and sshd.
import { parseArgs } from 'node:util';
import { UsageError } from '../lib/config/errors.ts';
import { parseEngineFlavour } from './sim/engine-flavours.ts';
import {
  assertSimHost,
  downSimFleet,
  type LinkShape,
  loadSimFleet,
  SimHostError,
  stopLaptopDockerIfOurs,
  upSimFleet,
} from './sim/harness.ts';
import { parseLaptopEngine } from './sim/laptop-engines.ts';
import { recordedPrefixes, resolveScope, stateFiles } from './sim/state.ts';
import { fleetStatus } from './sim/status.ts';

const HELP = `Usage: npx tsx scripts/dev/sim-robot.ts <command> [options]

Simulated robots: each one a network namespace on a veth link (${'${RD_SIM_NET:-10.77}'}.K.2)
with its own dockerd, an sshd for user rdsim, and registry:2 in its engine. Linux and root only.

Commands:
  up [N]                  start N robots sim1..simN (default 2), replacing any running ones
      --rate RATE           shape every robot link like Wi-Fi with tc tbf, e.g. 100mbit
      --rtt MS              add this round-trip time (a delay line in front of each robot's sshd)
      --jitter MS           vary each direction's delay by up to ± MS (no reordering)
      --loss PERCENT        drop this share of packets arriving at either end (iptables)
      --without-registry NAME   robot whose engine gets no registry:2 (repeatable)
      --password-login NAME     robot with password login and no authorized key (repeatable)
      --engine docker20|docker26  the robots' engine: Debian 12's Docker 20.10 (classic image
                            store, the default) or Debian 13's Docker 26.1 (containerd image store)
      --laptop-engine docker26|desktop|colima  also start a laptop engine (Debian 13's dockerd);
                            up prints the variables that point docker and deploys at it.
                            docker26: on the host's network, containerd store, buildx.
                            desktop, colima: in a network namespace of its own, as in a VM
                            (own 127.0.0.1, host.docker.internal, published ports forwarded to
                            the host's 127.0.0.1); desktop: "Docker Desktop", containerd store,
                            buildx; colima: "Ubuntu 24.04 LTS", classic store, CLI without buildx
  down [--all]            stop the robots; --all also stops every fleet in the state dir
                          and the laptop dockerd if the simulator started it
  env [--out FILE]        write robots.env for the deploy tool (default <state dir>/robots.env)
  link NAME down|up       cut or restore a robot's link
  status                  robots, addresses and whether their processes are alive

Environment:
  RD_SIM_PREFIX  netns/veth prefix (default rdsim)
  RD_SIM_NET     first two octets of the robot subnet (default 10.77)
  RD_SIM_DIR     state dir (default /var/tmp/robot-deploy-sim)
`;

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

function linkShape(values: Record<string, unknown>): LinkShape | undefined {
  const number = (flag: string): number | undefined => {
    const text = values[flag];
    if (typeof text !== 'string') return undefined;
    if (!/^\d+(\.\d+)?$/.test(text)) throw new UsageError(`up: --${flag} takes a number, got "${text}"`);
    return Number(text);
  };
  const shape = { rttMs: number('rtt'), jitterMs: number('jitter'), lossPercent: number('loss') };
  return Object.values(shape).some((value) => value !== undefined) ? shape : undefined;
}

async function up(positionals: string[], values: Record<string, unknown>): Promise<void> {
  const count = positionals[0] === undefined ? 2 : Number(positionals[0]);
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`up: robot count must be a positive integer, got "${positionals[0]}"`);
  const started = performance.now();
  const link = linkShape(values);
  const fleet = await upSimFleet({
    count,
    ...(typeof values.rate === 'string' ? { rate: values.rate } : {}),
    ...(link ? { link } : {}),
    withoutRegistry: (values['without-registry'] as string[] | undefined) ?? [],
    passwordLogin: (values['password-login'] as string[] | undefined) ?? [],
    ...(typeof values.engine === 'string' ? { engine: parseEngineFlavour(values.engine) } : {}),
    ...(typeof values['laptop-engine'] === 'string' ? { laptopEngine: parseLaptopEngine(values['laptop-engine']) } : {}),
  });
  const envFile = stateFiles(fleet.stateDir).robotsEnv;
  await fleet.writeRobotsEnv(envFile);
  console.log(`${fleet.robots.length} simulated robot(s) up in ${seconds(started)}`);
  for (const robot of fleet.robots) {
    const notes = [
      robot.rate && `rate ${robot.rate}`,
      robot.link?.rttMs && `rtt ${robot.link.rttMs} ms ± ${robot.link.jitterMs ?? 0}`,
      robot.link?.lossPercent && `loss ${robot.link.lossPercent} %`,
      !robot.hasRegistry && 'no registry:2',
      robot.passwordLogin && 'password login',
      robot.engine !== 'docker20' && robot.engine,
    ];
    console.log(
      `  ${robot.name.padEnd(10)} ${fleet.user}@${robot.address}  DOCKER_HOST=${robot.dockerHost}  ${notes.filter(Boolean).join(', ')}`,
    );
  }
  console.log(`ssh: ssh -i ${fleet.keyPath} -o UserKnownHostsFile=${fleet.knownHostsPath} ${fleet.user}@${fleet.robots[0]?.address}`);
  console.log(`robots.env: ${envFile}`);
  const laptop = Object.entries(fleet.laptopEnv).map(
    ([key, value]) => `${key}=${key === 'PATH' ? value?.replace(process.env.PATH ?? '', '$PATH') : value}`,
  );
  if (laptop.length) console.log(`${fleet.laptopEngine} laptop engine: export ${laptop.join(' ')}`);
}

async function down(all: boolean): Promise<void> {
  const scope = resolveScope({});
  const started = performance.now();
  const prefixes = all ? [...new Set([scope.prefix, ...recordedPrefixes(scope.stateDir)])] : [scope.prefix];
  for (const prefix of prefixes) await downSimFleet({ ...scope, prefix });
  const stoppedLaptop = all && (await stopLaptopDockerIfOurs(scope.stateDir));
  console.log(`down (${prefixes.join(', ')}) in ${seconds(started)}${stoppedLaptop ? '; stopped the laptop dockerd we had started' : ''}`);
}

function requireFleet() {
  const fleet = loadSimFleet();
  if (!fleet) throw new Error(`no simulated fleet is up in ${resolveScope({}).stateDir} (run: sim-robot up)`);
  return fleet;
}

async function link(positionals: string[]): Promise<void> {
  const [name, state] = positionals;
  if (!name || (state !== 'down' && state !== 'up')) throw new UsageError('link: give a robot name and down or up');
  const robot = requireFleet().robot(name);
  await (state === 'down' ? robot.cutLink() : robot.restoreLink());
  console.log(`${name}: link ${state} (${robot.hostVeth})`);
}

async function status(): Promise<boolean> {
  const s = await fleetStatus();
  console.log(`prefix ${s.prefix}, subnet ${s.subnet}.0.0/16, state dir ${s.stateDir}`);
  console.log(
    `laptop dockerd: ${s.laptopDockerdPid ? `started by the simulator (pid ${s.laptopDockerdPid})` : 'not started by the simulator'}`,
  );
  if (!s.recorded) console.log('no fleet is up');
  let healthy = true;
  const vm = s.laptopVm;
  if (vm) {
    healthy = Boolean(vm.dockerd && vm.guestAgent && vm.hostAgent && vm.dockerAnswers);
    const pid = (what: string, value?: number) => `${what} ${value ? `pid ${value}` : 'DEAD'}`;
    console.log(
      `laptop VM (${vm.kind}): ${pid('dockerd', vm.dockerd)}${vm.dockerAnswers ? '' : ' (not answering)'}, ` +
        `${pid('guest agent', vm.guestAgent)}, ${pid('host agent', vm.hostAgent)}${healthy ? '' : `; logs: ${vm.log}`}`,
    );
  }
  for (const r of s.robots) {
    const ok = r.netns && r.link === 'up' && r.dockerAnswers && r.sshAnswers;
    healthy &&= ok;
    console.log(
      `  ${r.name.padEnd(10)} ${r.address.padEnd(12)} netns ${r.netns ? 'yes' : 'NO'}, link ${r.link}, ` +
        `dockerd ${r.dockerdPid ? `pid ${r.dockerdPid}` : 'DEAD'}${r.dockerAnswers ? '' : ' (not answering)'}, ` +
        `sshd ${r.sshdPid ? `pid ${r.sshdPid}` : 'DEAD'}${r.sshAnswers ? '' : ' (:22 unreachable)'}` +
        `${r.rate ? `, rate ${r.rate}` : ''}${r.registry ? '' : ', no registry'}${r.passwordLogin ? ', password login' : ''}`,
    );
    if (!ok) console.log(`             logs: ${r.dockerLog} ${r.sshdLog}`);
  }
  return healthy;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      rate: { type: 'string' },
      rtt: { type: 'string' },
      jitter: { type: 'string' },
      loss: { type: 'string' },
      'without-registry': { type: 'string', multiple: true },
      'password-login': { type: 'string', multiple: true },
      engine: { type: 'string' },
      'laptop-engine': { type: 'string' },
      all: { type: 'boolean' },
      out: { type: 'string' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    console.log(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  assertSimHost();
  switch (command) {
    case 'up':
      await up(rest, values);
      return 0;
    case 'down':
      await down(values.all === true);
      return 0;
    case 'env': {
      const fleet = requireFleet();
      const file = values.out ?? stateFiles(fleet.stateDir).robotsEnv;
      await fleet.writeRobotsEnv(file);
      console.log(file);
      return 0;
    }
    case 'link':
      await link(rest);
      return 0;
    case 'status':
      return (await status()) ? 0 : 1;
    default:
      throw new UsageError(`unknown command "${command}"; see --help`);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof SimHostError) {
      console.error(`sim-robot: ${message}`);
      process.exit(2);
    }
    console.error(`sim-robot: ${message}`);
    process.exit(err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1);
  },
);
