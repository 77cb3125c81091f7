// A ROS-like workspace for the delta measurement: colcon's install/ tree as one 60 MB layer of 300
// files copied from this machine's own binaries and libraries (real, compressible code), and a
// "one-package rebuild" that replaces 3 of them with other binaries of about their size.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BUSYBOX_IMAGE } from '../../dev/sim/harness.ts';

export const ROS_WS = 'ros';
const FILES = 300;
const LAYER_BYTES = 60e6;
const SOURCES = ['/usr/lib/x86_64-linux-gnu', '/usr/bin', '/usr/sbin', '/usr/lib'];

/** Regular files of 20 kB-1 MB, by name, without duplicates of the same content size. */
function machineBinaries(): string[] {
  const found: string[] = [];
  const sizes = new Set<number>();
  for (const dir of SOURCES) {
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
  /** Replaces 3 installed files by spare binaries; returns the floor: their new contents gzipped. */
  rebuildOnePackage(): number;
  layerBytes: number;
}

export function makeRosWorkspace(dir: string): RosWorkspace {
  const install = join(dir, ROS_WS, 'install');
  mkdirSync(install, { recursive: true });
  const pool = machineBinaries();
  // Spread the picks so the layer is about 60 MB: the average file is 200 kB.
  const chosen: string[] = [];
  let bytes = 0;
  for (const path of pool) {
    if (chosen.length === FILES) break;
    const size = statSync(path).size;
    if (bytes + size > LAYER_BYTES * ((chosen.length + 1) / FILES) + 1e6) continue;
    chosen.push(path);
    bytes += size;
  }
  if (chosen.length < FILES) throw new Error(`this machine has only ${chosen.length} suitable binaries; ${FILES} are needed`);
  const spare = pool.filter((path) => !chosen.includes(path));
  chosen.forEach((path, i) => copyFileSync(path, join(install, `pkg${String(i).padStart(3, '0')}.so`)));
  writeFileSync(join(dir, ROS_WS, 'Dockerfile'), `FROM ${BUSYBOX_IMAGE}\nCOPY ${ROS_WS}/install /opt/ros/install\nCMD ["sh", "-c", "cat /opt/ros/install/* | sha256sum"]\n`);
  let round = 0;
  return {
    layerBytes: bytes,
    rebuildOnePackage: () => {
      let floor = 0;
      for (let k = 0; k < 3; k += 1) {
        const source = spare[(round * 3 + k) % spare.length];
        const target = join(install, `pkg${String(100 * k + (round % 100)).padStart(3, '0')}.so`);
        copyFileSync(source, target);
        floor += gzipSync(readFileSync(target)).length;
      }
      round += 1;
      // A fresh mtime, as a rebuild gives.
      execFileSync('touch', [install]);
      return floor;
    },
  };
}
