// Each robot engine puts its containers under its own cgroup parent, so that a container
// orphaned by a crashed or SIGKILLed robot dockerd can still be found and removed.
import { existsSync, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = '/sys/fs/cgroup';

/** `/${id}`: absolute, so it does not nest under whatever cgroup started the robot. */
export function robotCgroupParent(robotId: string): string {
  return `/${robotId}`;
}

/** The robot's cgroup directory in every mounted hierarchy (v1 controllers and v2). */
function robotCgroupDirs(robotId: string): string[] {
  if (!existsSync(ROOT)) return [];
  const hierarchies = [ROOT, ...readdirSync(ROOT).map((entry) => join(ROOT, entry))];
  return hierarchies.map((dir) => join(dir, robotId)).filter((dir) => existsSync(join(dir, 'cgroup.procs')));
}

function subtree(dir: string): string[] {
  const children = readdirSync(dir)
    .map((entry) => join(dir, entry))
    .filter((path) => {
      try {
        return statSync(path).isDirectory();
      } catch {
        return false;
      }
    });
  return [...children.flatMap(subtree), dir];
}

export function robotCgroupPids(robotId: string): number[] {
  const pids = new Set<number>();
  for (const dir of robotCgroupDirs(robotId)) {
    for (const cg of subtree(dir)) {
      try {
        for (const pid of readFileSync(join(cg, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) pids.add(Number(pid));
      } catch {
        // removed meanwhile
      }
    }
  }
  return [...pids];
}

/** Removes the robot's (now empty) cgroups, deepest first; busy ones are left for the next down. */
export function removeRobotCgroups(robotId: string): void {
  for (const dir of robotCgroupDirs(robotId)) {
    for (const cg of subtree(dir)) {
      try {
        rmdirSync(cg);
      } catch {
        // still has tasks, or already gone
      }
    }
  }
}
