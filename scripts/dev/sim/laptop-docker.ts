// The "laptop" engine: whatever `docker` talks to by default. Started here only when absent.
import { existsSync, rmSync } from 'node:fs';
import { run, toolEnv, waitUntil } from './exec.ts';
import { isOurProcess, readPidFile, spawnDetached, terminate } from './processes.ts';
import { ensureDir, stateFiles } from './state.ts';

async function dockerInfoWorks(): Promise<boolean> {
  const { code } = await run('docker', ['info', '--format', '{{.ID}}'], { allowFail: true, timeoutMs: 20_000 }).catch(() => ({
    code: 127,
  }));
  return code === 0;
}

/** Pid of a laptop dockerd this state dir started and that still runs, if any. */
export function ourLaptopDockerPid(stateDir: string): number | undefined {
  const pidFile = stateFiles(stateDir).laptopPid;
  const pid = readPidFile(pidFile);
  return pid !== undefined && isOurProcess(pid, pidFile) ? pid : undefined;
}

/**
 * Makes sure `docker info` works with the caller's environment, starting a host dockerd
 * (pidfile and log in the state dir) when nothing answers. Returns whether we started it.
 */
export async function ensureLaptopDocker(stateDir: string): Promise<{ started: boolean }> {
  if (await dockerInfoWorks()) return { started: false };
  if (process.env.DOCKER_HOST) {
    throw new Error(`docker info fails for DOCKER_HOST=${process.env.DOCKER_HOST}; unset it to let the simulator start a local dockerd`);
  }
  const files = stateFiles(stateDir);
  ensureDir(stateDir);
  ensureDir(files.logs);
  const stale = readPidFile(files.laptopPid);
  if (stale === undefined || !isOurProcess(stale, files.laptopPid)) {
    rmSync(files.laptopPid, { force: true });
    const daemon = spawnDetached('dockerd', ['--pidfile', files.laptopPid], files.laptopLog, toolEnv());
    let exitCode: number | undefined;
    void daemon.exited.then((code) => (exitCode = code));
    const ready = await waitUntil(async () => exitCode !== undefined || (await dockerInfoWorks()), 60_000, 200);
    if (!ready || exitCode !== undefined) {
      throw new Error(`laptop dockerd did not start${exitCode !== undefined ? ` (exit ${exitCode})` : ''}; see ${files.laptopLog}`);
    }
    return { started: true };
  }
  if (!(await waitUntil(dockerInfoWorks, 60_000, 200))) {
    throw new Error(`laptop dockerd (pid ${stale}) does not answer docker info; see ${files.laptopLog}`);
  }
  return { started: true };
}

/** Stops the laptop dockerd only if this state dir started it. */
export async function stopLaptopDockerIfOurs(stateDir: string): Promise<boolean> {
  const pid = ourLaptopDockerPid(stateDir);
  if (pid === undefined) return false;
  // dockerd stops its containers (10 s each by default) before exiting; allow for that.
  await terminate([pid], 60_000);
  if (existsSync(stateFiles(stateDir).laptopPid)) rmSync(stateFiles(stateDir).laptopPid, { force: true });
  return true;
}
