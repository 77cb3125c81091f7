// What is actually running for a fleet, checked live rather than trusted from the record.

import { ourLaptopDockerPid } from './laptop-docker.ts';
import { isVmLaptop, type VmLaptopKind } from './laptop-engines.ts';
import { type VmLaptopPids, vmLaptopPids } from './laptop-vm.ts';
import { vmLaptopFiles } from './laptop-vm-files.ts';
import { SSH_PORT } from './names.ts';
import { linkIsUp, listNetns } from './network.ts';
import { isOurProcess, readPidFile } from './processes.ts';
import { pingDocker } from './robot-dockerd.ts';
import { tcpConnects } from './robot-sshd.ts';
import { type FleetScope, readFleetRecord, resolveScope, robotFiles } from './state.ts';
import type { SimScopeOptions } from './teardown.ts';

export interface RobotStatus {
  name: string;
  address: string;
  netns: boolean;
  link: 'up' | 'down' | 'missing';
  dockerdPid?: number;
  dockerAnswers: boolean;
  sshdPid?: number;
  sshAnswers: boolean;
  rate?: string;
  registry: boolean;
  passwordLogin: boolean;
  dockerLog: string;
  sshdLog: string;
}

export interface FleetStatus {
  prefix: string;
  subnet: string;
  stateDir: string;
  recorded: boolean;
  laptopDockerdPid?: number;
  /** The VM-like laptop engine of the fleet, if it has one. */
  laptopVm?: VmLaptopPids & { kind: VmLaptopKind; dockerAnswers: boolean; log: string };
  robots: RobotStatus[];
}

function livePid(pidFile: string, marker: string): number | undefined {
  const pid = readPidFile(pidFile);
  return pid !== undefined && isOurProcess(pid, marker) ? pid : undefined;
}

async function vmStatus(scope: FleetScope, kind: VmLaptopKind): Promise<NonNullable<FleetStatus['laptopVm']>> {
  const files = vmLaptopFiles(scope);
  return { kind, ...vmLaptopPids(scope), dockerAnswers: await pingDocker(files.sock), log: files.log };
}

export async function fleetStatus(opts: SimScopeOptions = {}): Promise<FleetStatus> {
  const scope = resolveScope(opts);
  const record = readFleetRecord(scope);
  const namespaces = await listNetns();
  const laptop = ourLaptopDockerPid(scope.stateDir);
  const robots = await Promise.all(
    (record?.robots ?? []).map(async (robot): Promise<RobotStatus> => {
      const files = robotFiles(scope, robot.name);
      const up = linkIsUp(robot.hostVeth);
      const dockerdPid = livePid(files.dockerPid, files.dockerPid);
      const sshdPid = livePid(files.sshdPid, files.sshdConfig);
      return {
        name: robot.name,
        address: robot.address,
        netns: namespaces.includes(robot.netns),
        link: up === undefined ? 'missing' : up ? 'up' : 'down',
        ...(dockerdPid ? { dockerdPid } : {}),
        dockerAnswers: await pingDocker(files.dockerSock),
        ...(sshdPid ? { sshdPid } : {}),
        sshAnswers: up === true && (await tcpConnects(robot.address, SSH_PORT, 1_000)),
        ...(robot.rate ? { rate: robot.rate } : {}),
        registry: robot.registry,
        passwordLogin: robot.passwordLogin,
        dockerLog: files.dockerLog,
        sshdLog: files.sshdLog,
      };
    }),
  );
  return {
    prefix: scope.prefix,
    subnet: record?.subnet ?? scope.subnet,
    stateDir: scope.stateDir,
    recorded: record !== undefined,
    ...(laptop ? { laptopDockerdPid: laptop } : {}),
    ...(record && isVmLaptop(record.laptopEngine)
      ? { laptopVm: await vmStatus({ ...scope, subnet: record.subnet }, record.laptopEngine) }
      : {}),
    robots,
  };
}
