// A plain-HTTP registry on the host's 127.0.0.1 (Debian's docker-registry binary, as registry:2 runs it),
// standing where a deploy's tunnel listens on the laptop.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import getPort from 'get-port';

export interface HostRegistry {
  port: number;
  /** The registry's own log: every request it served. */
  log(): string;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok;
  } catch {
    return false;
  }
}

export async function startHostRegistry(): Promise<HostRegistry> {
  const dir = mkdtempSync(join('/var/tmp', 'rd-e2e-host-registry-'));
  const port = await getPort({ host: '127.0.0.1' });
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\nhttp:\n  addr: 127.0.0.1:${port}\n`,
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (chunk) => (log += chunk));
  child.stderr?.on('data', (chunk) => (log += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  while (!(await answers(`http://127.0.0.1:${port}/v2/`))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`the host registry on 127.0.0.1:${port} did not answer:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { port, log: () => log, stop };
}
