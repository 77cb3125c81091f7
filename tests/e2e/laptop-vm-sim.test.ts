// The simulator's VM-like laptop engines behave as Docker Desktop and colima do where a deploy can tell:
// the OS they report, a loopback of their own, host.docker.internal for the daemon and for containers,
// published ports forwarded to the host's 127.0.0.1, and nothing left after the teardown.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import getPort from 'get-port';
import { BUSYBOX_IMAGE, REGISTRY_IMAGE, type VmLaptopKind } from '../../scripts/dev/sim/harness.ts';
import { type HostRegistry, startHostRegistry } from './support/host-registry.ts';
import { engineState } from './support/laptop-engine-state.ts';
import { leftovers } from './support/leftovers.ts';
import { simSuiteOptions } from './support/prereqs.ts';
import { listening } from './support/processes.ts';
import { waitFor } from './support/project.ts';
import { TEST_SIM_SCOPE, useSimFleet } from './support/sim-fleet.ts';

const exec = promisify(execFile);

const EXPECTED: Record<VmLaptopKind, { os: string; name: string; containerdStore: boolean; buildx: boolean }> = {
  desktop: { os: 'Docker Desktop', name: 'docker-desktop', containerdStore: true, buildx: true },
  colima: { os: 'Ubuntu 24.04 LTS', name: 'colima', containerdStore: false, buildx: false },
};

async function answers(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}

async function answersWithin(url: string, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = await answers(url);
    if (body !== undefined || Date.now() > deadline) return body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

for (const kind of ['desktop', 'colima'] as VmLaptopKind[]) {
  describe(`the ${kind}-like laptop engine`, simSuiteOptions(), () => {
    const fleet = useSimFleet({ names: ['vm1'], laptopEngine: kind });
    let registry: HostRegistry;
    const docker = async (...args: string[]) => {
      const env = { ...process.env, ...fleet().laptopEnv };
      const result = await exec('docker', args, { env, encoding: 'utf8' }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code?: number; stdout?: string; stderr?: string }) => ({
          code: error.code ?? 1,
          stdout: error.stdout ?? '',
          stderr: error.stderr ?? '',
        }),
      );
      return { ...result, output: `${result.stdout}${result.stderr}`.trim() };
    };
    const hostUrl = (host: string) => `http://${host}:${registry.port}/v2/`;
    // busybox's own `wget -T` crashes; its `timeout` execs wget, so an init must be PID 1 for the signal to land.
    const fetchInContainer = (args: string[], url: string) =>
      docker('run', '--rm', '--init', ...args, BUSYBOX_IMAGE, 'timeout', '10', 'wget', '-qO-', url);

    before(async () => {
      registry = await startHostRegistry();
    });
    after(async () => {
      await registry?.stop();
    });

    test('docker info on the host reports the VM: its OS and name, its image store, insecure registries at the defaults', async () => {
      const expected = EXPECTED[kind];
      const info = JSON.parse((await docker('info', '--format', '{{json .}}')).stdout) as {
        OperatingSystem: string;
        Name: string;
        DriverStatus: string[][];
        RegistryConfig: { InsecureRegistryCIDRs: string[]; IndexConfigs: Record<string, unknown> };
      };
      assert.equal(info.OperatingSystem, expected.os);
      assert.equal(info.Name, expected.name);
      const containerdStore = JSON.stringify(info.DriverStatus).includes('io.containerd.snapshotter.v1');
      assert.equal(containerdStore, expected.containerdStore, JSON.stringify(info.DriverStatus));
      for (const cidr of info.RegistryConfig.InsecureRegistryCIDRs) assert.ok(['127.0.0.0/8', '::1/128'].includes(cidr), cidr);
      assert.deepEqual(Object.keys(info.RegistryConfig.IndexConfigs), ['docker.io'], 'no registry marked insecure');
      const buildx = await docker('buildx', 'inspect');
      assert.equal(buildx.code === 0, expected.buildx, buildx.output);
      if (expected.buildx) assert.match(buildx.stdout, /Driver:\s+docker\n/, 'the default builder is the docker driver');
      for (const image of [BUSYBOX_IMAGE, REGISTRY_IMAGE])
        assert.equal((await docker('image', 'inspect', image)).code, 0, `${image} is there`);
    });

    test("the VM's 127.0.0.1 is its own: neither the daemon nor a host-network container reaches the host's loopback there", async () => {
      assert.equal(await answers(hostUrl('127.0.0.1')), '{}', 'the registry answers on the host');
      const pull = await docker('pull', `127.0.0.1:${registry.port}/x`);
      assert.notEqual(pull.code, 0);
      assert.match(pull.output, new RegExp(`dial tcp 127\\.0\\.0\\.1:${registry.port}: connect: connection refused`));
      const hostNetwork = await fetchInContainer(['--network', 'host'], hostUrl('127.0.0.1'));
      assert.notEqual(hostNetwork.code, 0, hostNetwork.output);
      assert.match(hostNetwork.output, /Connection refused/);
    });

    test("the daemon's pull reaches a registry on the host's loopback as host.docker.internal, and speaks HTTPS to it", async () => {
      const pull = await docker('pull', `host.docker.internal:${registry.port}/x`);
      assert.notEqual(pull.code, 0);
      assert.match(pull.output, /http: server gave HTTP response to HTTPS client/);
    });

    test("containers resolve host.docker.internal and reach the host's loopback, on the default bridge and a user-defined network", async () => {
      const network = `rd-e2e-vm-${process.pid}`;
      assert.equal((await docker('network', 'create', network)).code, 0);
      try {
        for (const args of [[], ['--network', network]]) {
          const fetched = await fetchInContainer(args, hostUrl('host.docker.internal'));
          assert.equal(fetched.code, 0, `${args.join(' ') || 'default bridge'}: ${fetched.output}`);
          assert.equal(fetched.stdout.trim(), '{}');
        }
        const lookup = await docker('run', '--rm', BUSYBOX_IMAGE, 'nslookup', 'host.docker.internal');
        assert.match(lookup.stdout, new RegExp(`Address: ${fleet().laptopVm?.hostAddress.replace(/\./g, '\\.')}`), lookup.output);
        const offline = await docker('run', '--rm', BUSYBOX_IMAGE, 'nslookup', 'registry-1.docker.io');
        assert.match(offline.output, /NXDOMAIN/, 'no internet: other names do not resolve');
      } finally {
        await docker('network', 'rm', network);
      }
    });

    test("ports published on the engine's 127.0.0.1 and 0.0.0.0 answer on the host's 127.0.0.1 at the same port, until the container goes", async () => {
      const ports = [await getPort({ host: '127.0.0.1' }), await getPort({ host: '127.0.0.1' })];
      const name = `rd-e2e-vm-published-${process.pid}`;
      const started = await docker(
        'run',
        '-d',
        '--name',
        name,
        '-p',
        `127.0.0.1:${ports[0]}:5000`,
        '-p',
        `${ports[1]}:5000`,
        REGISTRY_IMAGE,
      );
      assert.equal(started.code, 0, started.output);
      try {
        // Desktop exposes the port before `docker run` returns; lima's forwarder follows the container.
        if (kind === 'desktop') for (const port of ports) assert.ok(listening(port), `${port} is forwarded once docker run returns`);
        // The registry in the container needs a moment to listen, on Desktop as here.
        for (const port of ports)
          assert.equal(await answersWithin(`http://127.0.0.1:${port}/v2/`, 10_000), '{}', `host's 127.0.0.1:${port}`);
      } finally {
        await docker('rm', '-f', name);
      }
      await waitFor('the forwards to close', () => ports.every((port) => !listening(port)), 5_000);
      if (kind === 'desktop') {
        const busy = await docker('run', '-d', '--name', name, '-p', `127.0.0.1:${registry.port}:5000`, REGISTRY_IMAGE);
        await docker('rm', '-f', name);
        assert.notEqual(busy.code, 0, 'a port taken on the host fails the run, as on Desktop');
        assert.match(busy.output, /Ports are not available/);
      }
      assert.deepEqual(engineState(fleet().laptopEnv).containers, []);
    });

    test('after the teardown nothing of the VM is left: processes, netns, veth, NAT rule, ports, files', async () => {
      const scope = { subnet: TEST_SIM_SCOPE.subnet, stateDir: TEST_SIM_SCOPE.stateDir };
      const running = leftovers(TEST_SIM_SCOPE.prefix, scope);
      for (const part of [/^netns .*-laptop\.vm$/, /^link .*vmh$/, /^iptables nat rule/, /^laptop VM dir/, /dockerd/]) {
        assert.ok(
          running.some((line) => part.test(line)),
          `leftovers() sees the running VM (${part}):\n${running.join('\n')}`,
        );
      }
      await fleet().down();
      assert.deepEqual(leftovers(TEST_SIM_SCOPE.prefix, scope), []);
      assert.equal(await answers(hostUrl('127.0.0.1')), '{}', "the host's own listener is untouched");
    });
  });
}
