// Whether this machine can run simulated robots, and how tests react when it cannot:
// skipped with the reason on a developer machine, failed with the reason in CI.
import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { assertFlavourInstalled } from '../../../scripts/dev/sim/engine-flavours.ts';

export const SIM_TOOLS = [
  'dockerd',
  'docker',
  'sshd',
  'ssh',
  'docker-registry',
  'busybox',
  'ip',
  'nsenter',
  'unshare',
  'tc',
  'iptables',
  'ssh-keygen',
  'tar',
  'ldd',
  'sudo',
] as const;

const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SYSTEM_DIRS];
  for (const dir of dirs) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

export type SimPrereqs = { ok: true } | { ok: false; reason: string };

export function simPrereqs(): SimPrereqs {
  if (process.platform !== 'linux') return { ok: false, reason: `simulated robots need Linux, this is ${process.platform}` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'simulated robots need root (network namespaces, veth, dockerd, sshd)' };
  const missing = SIM_TOOLS.filter((tool) => !findTool(tool));
  if (missing.length) {
    return {
      ok: false,
      reason: `simulated robots need ${missing.join(', ')} (bash .ci/install installs them)`,
    };
  }
  try {
    assertFlavourInstalled('docker26');
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  if (!existsSync('/proc/sys/fs/binfmt_misc/qemu-aarch64'))
    return {
      ok: false,
      reason: 'arm64 images need qemu-user-static registered with binfmt_misc (bash .ci/install does it)',
    };
  return { ok: true };
}

function inCi(): boolean {
  return Boolean(process.env.CI);
}

/** Throws with the reason when the simulator cannot run (used in CI and in hooks). */
export function assertSimPrereqs(): void {
  const prereqs = simPrereqs();
  if (!prereqs.ok) throw new Error(`cannot run simulated robots: ${prereqs.reason}`);
}

/**
 * For one test: true when the simulator can run. Otherwise, in CI it throws (the test fails
 * with the reason); elsewhere it skips the test, prints the reason and returns false.
 */
export function requireSim(t: TestContext): boolean {
  const prereqs = simPrereqs();
  if (prereqs.ok) return true;
  if (inCi()) throw new Error(`cannot run simulated robots: ${prereqs.reason}`);
  console.log(`skipping "${t.name}": ${prereqs.reason}`);
  t.skip(prereqs.reason);
  return false;
}

/**
 * Options for a describe() of simulator tests: skipped with the reason where the simulator
 * cannot run, except in CI, where the suite runs and useSimFleet's hook fails with the reason.
 */
export function simSuiteOptions(): { skip?: string } {
  const prereqs = simPrereqs();
  if (prereqs.ok || inCi()) return {};
  console.log(`skipping simulated-robot tests: ${prereqs.reason}`);
  return { skip: prereqs.reason };
}
