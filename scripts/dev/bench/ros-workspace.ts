// A ROS-like workspace made of this machine's own binaries, so it compresses like real ones: a
// ~400 MB base layer of shared libraries (the ROS install) and a ~60 MB layer of 300 package files
// (colcon's install space). A "one-package rebuild" replaces 3 of those files by binaries of about
// their size. Every package file and every replacement has a content size no other one has, so no
// replacement's bytes are anywhere in the earlier layer: the floor (their gzip) is honest.
import { type Dirent, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BUSYBOX_IMAGE } from '../sim/harness.ts';

export const ROS_BASE_BYTES = 400e6;
export const ROS_PACKAGE_FILES = 300;
export const ROS_LAYER_BYTES = 60e6;
export const ROS_CHANGED_FILES = 3;
const BASE_DIRS = ['/usr/lib', '/usr/libexec'];
const PACKAGE_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/bin', '/usr/sbin', '/usr/lib'];

/** Shared libraries in a fixed order (so two runs pick the same ones), skipping tiny ones. */
function libraries(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && /\.so(\.|$)/.test(entry.name) && statSync(path).size > 20_000) found.push(path);
    }
  };
  BASE_DIRS.forEach(walk);
  return found;
}

/** Regular files of 20 kB-1 MB, by name, none with the content size of one already taken. */
function distinctBinaries(): string[] {
  const found: string[] = [];
  const sizes = new Set<number>();
  for (const dir of PACKAGE_DIRS) {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stat = statSync(path, { throwIfNoEntry: false });
      if (!stat?.isFile() || stat.size < 20e3 || stat.size > 1e6 || sizes.has(stat.size)) continue;
      sizes.add(stat.size);
      found.push(path);
    }
  }
  return found;
}

export interface RosWorkspace {
  workspace: string;
  dockerfile: string;
  /** Rebuilds one package: 3 of the 300 files become other binaries (the label is not used). */
  setTop(label: string | Uint8Array): Promise<void>;
  /** The floor of the last rebuild: the gzip of the 3 new files. */
  floorBytes(): number;
}

export async function makeRosWorkspace(dir: string, workspace: string): Promise<RosWorkspace> {
  const wsDir = join(dir, workspace);
  const baseDir = join(wsDir, 'opt-ros');
  const installDir = join(wsDir, 'install');
  await mkdir(baseDir, { recursive: true });
  await mkdir(installDir, { recursive: true });
  let baseBytes = 0;
  for (const [i, path] of libraries().entries()) {
    if (baseBytes >= ROS_BASE_BYTES) break;
    const content = readFileSync(path);
    await writeFile(join(baseDir, `${String(i).padStart(4, '0')}-${path.split('/').pop()}`), content);
    baseBytes += content.length;
  }
  const pool = distinctBinaries();
  const chosen: string[] = [];
  let bytes = 0;
  // Spread the picks so the layer is about 60 MB: the average file is 200 kB.
  for (const path of pool) {
    if (chosen.length === ROS_PACKAGE_FILES) break;
    const size = statSync(path).size;
    if (bytes + size > ROS_LAYER_BYTES * ((chosen.length + 1) / ROS_PACKAGE_FILES) + 1e6) continue;
    chosen.push(path);
    bytes += size;
  }
  const spare = pool.filter((path) => !chosen.includes(path));
  if (baseBytes < ROS_BASE_BYTES || chosen.length < ROS_PACKAGE_FILES || spare.length < 30) {
    throw new Error(
      `not enough binaries on this machine for the ROS-like workspace (${(baseBytes / 1e6).toFixed(0)} MB of libraries, ${pool.length} distinct binaries)`,
    );
  }
  const fileName = (i: number) => join(installDir, `pkg${String(i).padStart(3, '0')}.so`);
  for (const [i, path] of chosen.entries()) await writeFile(fileName(i), readFileSync(path));
  const dockerfile = join(wsDir, 'Dockerfile');
  await writeFile(
    dockerfile,
    [
      `FROM ${BUSYBOX_IMAGE}`,
      `COPY ${workspace}/opt-ros /opt/ros/jazzy/lib`,
      `COPY ${workspace}/install /ws/install`,
      'CMD ["sh", "-c", "cat /ws/install/* | sha256sum"]',
      '',
    ].join('\n'),
  );
  let round = 0;
  let floor = 0;
  return {
    workspace,
    dockerfile,
    floorBytes: () => floor,
    setTop: async () => {
      floor = 0;
      for (let k = 0; k < ROS_CHANGED_FILES; k++) {
        const content = readFileSync(spare[(round * ROS_CHANGED_FILES + k) % spare.length]!);
        await writeFile(fileName(100 * k + (round % 100)), content);
        floor += gzipSync(content).length;
      }
      round += 1;
    },
  };
}
