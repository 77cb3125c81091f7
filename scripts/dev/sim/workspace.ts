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
export const DEMO_SOURCE = fileURLToPath(new URL('../demo/', import.meta.url));

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
  /** Several incompressible layers instead of one base layer, each its own RUN (sizes in MiB). */
  layersMiB?: number[];
  /** Initial contents of top.txt. */
  top?: string;
}

export interface GeneratedWorkspace {
  /** The build context (the `dir` given to makeWorkspace). */
  context: string;
  workspace: string;
  dockerfile: string;
  topFile: string;
  /** Rewrites top.txt, so the next build changes only the top layer (bytes are written as they are). */
  setTop(content: string | Uint8Array): Promise<void>;
}

export function workspaceDockerfile(workspace: string, layersMiB: number[] = [], token = randomBytes(6).toString('hex')): string {
  const lines = [`FROM ${BUSYBOX_IMAGE}`];
  layersMiB.forEach((size, index) => {
    const name = index === 0 ? 'base' : `layer${index}`;
    // The token keeps each workspace's layers distinct in the laptop's build cache.
    lines.push(`RUN dd if=/dev/urandom of=/${name}.bin bs=1048576 count=${Math.ceil(size)} 2>/dev/null && echo ${token} > /${name}.id`);
  });
  lines.push(`COPY ${workspace}/top.txt /top.txt`, 'CMD ["cat", "/top.txt"]', '');
  return lines.join('\n');
}

export async function makeWorkspace(dir: string, opts: WorkspaceOptions = {}): Promise<GeneratedWorkspace> {
  const workspace = opts.name ?? DEMO_WORKSPACE;
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(workspace)) throw new Error(`invalid workspace name "${workspace}"`);
  const layersMiB = opts.layersMiB ?? (opts.baseSizeMiB ? [opts.baseSizeMiB] : []);
  if (layersMiB.some((size) => !Number.isFinite(size) || size <= 0)) throw new Error(`invalid layer sizes ${layersMiB.join(', ')} MiB`);
  const wsDir = join(dir, workspace);
  await mkdir(wsDir, { recursive: true });
  const dockerfile = join(wsDir, 'Dockerfile');
  const topFile = join(wsDir, 'top.txt');
  await writeFile(dockerfile, workspaceDockerfile(workspace, layersMiB));
  await writeFile(topFile, opts.top ?? 'top layer 1\n');
  return {
    context: dir,
    workspace,
    dockerfile,
    topFile,
    setTop: (content) => writeFile(topFile, typeof content !== 'string' || content.endsWith('\n') ? content : `${content}\n`),
  };
}
