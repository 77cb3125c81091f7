// A ROS-like workspace made of this machine's own shared libraries, so it compresses like real
// binaries (about 3:1): a ~400 MB base layer (the ROS install) and a ~60 MB layer of 300 package
// files (the colcon install space), of which 3 change per round (one package rebuilt).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BUSYBOX_IMAGE } from '../../dev/sim/harness.ts';

export const ROS_BASE_BYTES = 400e6;
export const ROS_PACKAGE_FILES = 300;
export const ROS_FILE_BYTES = 200_000;
export const ROS_CHANGED_FILES = 3;
const LIBRARY_DIRS = ['/usr/lib', '/usr/libexec'];
const POOL_BYTES = 150e6;

/** Shared libraries in a fixed order (so two runs pick the same ones), skipping tiny ones. */
function libraries(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    let entries;
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
  LIBRARY_DIRS.forEach(walk);
  return found;
}

export interface RosWorkspace {
  workspace: string;
  dockerfile: string;
  /** Rebuilds one package: 3 of the 300 files get other library bytes, salted with `label`. */
  setTop(label: string | Uint8Array): Promise<void>;
}

export async function makeRosWorkspace(dir: string, workspace: string): Promise<RosWorkspace> {
  const wsDir = join(dir, workspace);
  const baseDir = join(wsDir, 'opt-ros');
  const installDir = join(wsDir, 'install');
  await mkdir(baseDir, { recursive: true });
  await mkdir(installDir, { recursive: true });
  const libs = libraries();
  let baseBytes = 0;
  let next = 0;
  for (; next < libs.length && baseBytes < ROS_BASE_BYTES; next++) {
    const content = readFileSync(libs[next]!);
    await writeFile(join(baseDir, `${String(next).padStart(4, '0')}-${libs[next]!.split('/').pop()}`), content);
    baseBytes += content.length;
  }
  // The package files and every later change are cut from the libraries the base did not take.
  const rest: Buffer[] = [];
  for (let size = 0; next < libs.length && size < POOL_BYTES; next++) {
    rest.push(readFileSync(libs[next]!));
    size += rest.at(-1)!.length;
  }
  const pool = Buffer.concat(rest);
  if (baseBytes < ROS_BASE_BYTES || pool.length < 2 * ROS_PACKAGE_FILES * ROS_FILE_BYTES) throw new Error(`only ${libs.length} shared libraries under ${LIBRARY_DIRS.join(', ')}: not enough for the ROS-like workspace`);
  const chunk = (index: number) => pool.subarray((index * ROS_FILE_BYTES) % (pool.length - ROS_FILE_BYTES)).subarray(0, ROS_FILE_BYTES);
  const fileName = (i: number) => join(installDir, `pkg${String(Math.floor(i / 10)).padStart(2, '0')}-lib${i % 10}.so`);
  for (let i = 0; i < ROS_PACKAGE_FILES; i++) await writeFile(fileName(i), chunk(i));
  const dockerfile = join(wsDir, 'Dockerfile');
  await writeFile(dockerfile, [
    `FROM ${BUSYBOX_IMAGE}`,
    `COPY ${workspace}/opt-ros /opt/ros/jazzy/lib`,
    `COPY ${workspace}/install /ws/install`,
    'CMD ["ls", "/ws/install"]',
    '',
  ].join('\n'));
  let round = 0;
  return {
    workspace,
    dockerfile,
    setTop: async (label) => {
      round += 1;
      const salt = createHash('sha256').update(label).digest();
      const first = (round * ROS_CHANGED_FILES) % ROS_PACKAGE_FILES;
      for (let j = 0; j < ROS_CHANGED_FILES; j++) {
        const bytes = Buffer.concat([salt, chunk(ROS_PACKAGE_FILES + round * ROS_CHANGED_FILES + j)]);
        await writeFile(fileName((first + j) % ROS_PACKAGE_FILES), bytes);
      }
    },
  };
}
