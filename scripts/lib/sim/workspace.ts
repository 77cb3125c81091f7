// Build contexts for deploys against simulated robots: the committed demo workspace and
// generated ones with a large incompressible base layer under a small, editable top layer.
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUSYBOX_IMAGE } from './images.ts';
import { stateFiles } from './state.ts';

export const DEMO_IMAGE = 'robot-deploy-demo';
export const DEMO_WORKSPACE = 'demo';
export const DEMO_SOURCE = fileURLToPath(new URL('./demo-workspace/', import.meta.url));

/** Copies the demo workspace into the state dir once; later edits there (message.txt) are kept. */
export function ensureDemoWorkspace(stateDir: string): string {
  const target = stateFiles(stateDir).workspace;
  if (!existsSync(target)) cpSync(DEMO_SOURCE, target, { recursive: true });
  return target;
}

export interface WorkspaceOptions {
  /** Workspace (sub-directory) name; default "demo". */
  name?: string;
  /** Size of an incompressible base layer from /dev/urandom; 0 or absent for none. */
  baseSizeMiB?: number;
  /** Initial contents of top.txt. */
  top?: string;
}

export interface GeneratedWorkspace {
  /** The build context (the `dir` given to makeWorkspace). */
  context: string;
  workspace: string;
  dockerfile: string;
  topFile: string;
  /** Rewrites top.txt, so the next build changes only the top layer. */
  setTop(text: string): Promise<void>;
}

export function workspaceDockerfile(workspace: string, baseSizeMiB = 0, token = randomBytes(6).toString('hex')): string {
  const lines = [`FROM ${BUSYBOX_IMAGE}`];
  if (baseSizeMiB > 0) {
    // The token keeps each workspace's base layer distinct in the laptop's build cache.
    lines.push(
      `RUN dd if=/dev/urandom of=/base.bin bs=1048576 count=${Math.ceil(baseSizeMiB)} 2>/dev/null && echo ${token} > /base.id`,
    );
  }
  lines.push(`COPY ${workspace}/top.txt /top.txt`, 'CMD ["cat", "/top.txt"]', '');
  return lines.join('\n');
}

export async function makeWorkspace(dir: string, opts: WorkspaceOptions = {}): Promise<GeneratedWorkspace> {
  const workspace = opts.name ?? DEMO_WORKSPACE;
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(workspace)) throw new Error(`invalid workspace name "${workspace}"`);
  const baseSizeMiB = opts.baseSizeMiB ?? 0;
  if (!Number.isFinite(baseSizeMiB) || baseSizeMiB < 0) throw new Error(`invalid baseSizeMiB ${baseSizeMiB}`);
  const wsDir = join(dir, workspace);
  await mkdir(wsDir, { recursive: true });
  const dockerfile = join(wsDir, 'Dockerfile');
  const topFile = join(wsDir, 'top.txt');
  await writeFile(dockerfile, workspaceDockerfile(workspace, baseSizeMiB));
  await writeFile(topFile, opts.top ?? 'top layer 1\n');
  return {
    context: dir,
    workspace,
    dockerfile,
    topFile,
    setTop: (text: string) => writeFile(topFile, text.endsWith('\n') ? text : `${text}\n`),
  };
}
