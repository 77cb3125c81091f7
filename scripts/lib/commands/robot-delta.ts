// Argv builders for the delta transfer on the robot (see delta/delta-send.ts). Fixed scripts,
// values as positional parameters. They use only sh, coreutils (sha256sum, dd, cut, mkdir, mv,
// rm, cat, date, df), gzip, tar, flock and docker: `docker cp` reads and writes the registry
// container's storage, which needs no tool inside the container. Work files live in one directory per
// layer under ~/.cache/robot-deploy/delta: the literal batches and the basis, kept for a retry after a
// cut link, and one directory per rebuild attempt. A committed layer, and a failed rebuild (the push
// that follows makes its files useless), leave nothing there; prune removes what interruptions left.
import { robotScript } from './robot-sh.ts';

/** Root of the robot's delta work directories, as the robot-sh/delta-*.sh scripts name it. */
export const DELTA_ROOT = '${XDG_CACHE_HOME:-$HOME/.cache}/robot-deploy/delta';

/** Exit codes of robot-sh/delta-state.sh and delta-apply.sh the laptop explains. */
export const DELTA_BASIS_MISMATCH = 3;
export const DELTA_BATCH_MISSING = 4;
export const DELTA_LAYER_MISMATCH = 6;
export const DELTA_NO_SPACE = 7;

/** Bytes a rebuild needs on the robot, from the laptop's recipe (see deltaState). */
export interface DeltaSpace {
  /** Literal batches as sent, unpacked literals, and the rebuilt layer. */
  work: number;
  /** The earlier layer unpacked, unless an earlier attempt left it. */
  basis: number;
  /** The layer again, as docker cp copies it into the registry's volume. */
  layer: number;
}

const STATE_SCRIPT = robotScript('delta-state.sh');

export function deltaState(registry: string, repo: string, work: string, target: string, space: DeltaSpace): string[] {
  return ['sh', '-c', STATE_SCRIPT, 'delta-state', registry, repo, work, target, ...[space.work, space.basis, space.layer].map(String)];
}

export interface SpaceShortage {
  need: number;
  free: number;
  mount: string;
  path: string;
}

export function parseSpaceShortage(stdout: string): SpaceShortage | undefined {
  const [, need, free, mount, path] = /^space-short (\d+) (\d+) (\S+) (.+)$/m.exec(stdout) ?? [];
  return need && free && mount && path ? { need: Number(need), free: Number(free), mount, path } : undefined;
}

export function parseDeltaState(stdout: string): { committed: boolean; have: Set<string> } {
  return {
    committed: /^committed$/m.test(stdout),
    have: new Set([...stdout.matchAll(/^have (\S+)$/gm)].map((m) => m[1])),
  };
}

const RECEIVE_SCRIPT = robotScript('delta-receive.sh');

export function deltaReceive(work: string, name: string, sha256Hex: string): string[] {
  return ['sh', '-c', RECEIVE_SCRIPT, 'delta-receive', work, name, sha256Hex];
}

const APPLY_SCRIPT = robotScript('lock.sh', 'delta-apply.sh');

export function deltaApply(
  registry: string,
  repo: string,
  work: string,
  target: string,
  basis: string,
  basisBlob: string,
  batches: readonly string[],
): string[] {
  return ['sh', '-c', APPLY_SCRIPT, 'delta-apply', registry, repo, work, target, basis, basisBlob, ...batches];
}

/** After a failed rebuild or transfer: this layer's work files go. */
export const deltaDiscard = (work: string): string[] => ['sh', '-c', robotScript('delta-discard.sh'), 'delta-discard', work];

/** prune: every delta work directory (interrupted transfers) goes. */
export const deltaClear = (): string[] => ['sh', '-c', robotScript('delta-clear.sh')];
