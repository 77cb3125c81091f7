// Argv builders for the delta transfer on the robot (see delta/delta-send.ts). Fixed scripts,
// values as positional parameters. They use only sh, coreutils (sha256sum, dd, cut, mkdir, mv,
// rm, cat, date, df), gzip, tar, flock and docker: `docker cp` reads and writes the registry
// container's storage, which needs no tool inside the container. Work files live in one directory per
// layer under ~/.cache/robot-deploy/delta: the literal batches and the basis, kept for a retry after a
// cut link, and one directory per rebuild attempt. A committed layer, and a failed rebuild (the push
// that follows makes its files useless), leave nothing there; prune removes what interruptions left.
import { ROBOT_LOCK } from './robot-lock-script.ts';

/** Root of the robot's delta work directories. */
export const DELTA_ROOT = '${XDG_CACHE_HOME:-$HOME/.cache}/robot-deploy/delta';
const REGISTRY_V2 = '/var/lib/registry/docker/registry/v2';

/** Exit codes of STATE_SCRIPT and APPLY_SCRIPT the laptop explains. */
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

// Whether the registry already holds the layer in this repository; else the literal batches kept
// from an earlier, interrupted attempt (a cut link costs only the batch in flight). Before any byte is
// sent: whether the disk holds the rebuild at its peak (work files and the layer's copy into the
// registry when both are on one filesystem), else "space-short NEED FREE MOUNT PATH" and exit 7.
// Work directories nobody touched for a day are what interrupted transfers left: they go.
const STATE_SCRIPT = `reg=$1 repo=$2 work=$3 target=$4 need=$5 basis_need=$6 layer=$7
hex=\${target#sha256:}
if docker cp "$reg:${REGISTRY_V2}/repositories/$repo/_layers/sha256/$hex/link" - >/dev/null 2>&1; then echo committed; exit 0; fi
root=${DELTA_ROOT}
dir=$root/$work
mkdir -p "$dir" || exit 1
find "$root" -mindepth 1 -maxdepth 1 -type d -mtime +0 ! -name "$work" -exec rm -rf {} + 2>/dev/null
free_at() { df -Pk "$1" 2>/dev/null | { read -r _; read -r _ _ _ kb _ mnt && echo "$((kb * 1024)) $mnt"; }; }
short() { echo "space-short $1 $2 $3 $4"; cd / && rm -rf "$dir"; exit ${DELTA_NO_SPACE}; }
[ -f "$dir/basis" ] || need=$((need + basis_need))
set -- $(free_at "$dir")
if [ -n "$1" ]; then
  work_free=$1 work_mount=$2
  store=$(docker info --format '{{.DockerRootDir}}' 2>/dev/null)
  set -- $(free_at "\${store:-/}")
  if [ "$2" = "$work_mount" ]; then need=$((need + layer))
  elif [ -n "$1" ] && [ "$1" -lt "$layer" ]; then short "$layer" "$1" "$2" "\${store:-/}"; fi
  [ "$work_free" -ge "$need" ] || short "$need" "$work_free" "$work_mount" "$dir"
fi
for f in "$dir"/batch.*; do
  case $f in *.tmp) continue ;; esac
  [ -f "$f" ] && echo "have \${f##*/}"
done
exit 0`;

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

// One batch of literals on stdin; it gets its name only once complete and checked. The temporary
// name is this shell's own: a receiver from a cut connection may still be alive beside a retry.
const RECEIVE_SCRIPT = `work=$1 name=$2 sum=$3
dir=${DELTA_ROOT}/$work
tmp=$dir/$name.$$.tmp
mkdir -p "$dir" || exit 1
cat > "$tmp" || { rm -f "$tmp"; exit 1; }
if [ "$(sha256sum < "$tmp" | cut -d' ' -f1)" != "$sum" ]; then rm -f "$tmp"; echo "batch $name arrived damaged" >&2; exit 1; fi
mv "$tmp" "$dir/$name"`;

export function deltaReceive(work: string, name: string, sha256Hex: string): string[] {
  return ['sh', '-c', RECEIVE_SCRIPT, 'delta-receive', work, name, sha256Hex];
}

// The recipe arrives on stdin. The basis is the registry's own blob of the earlier layer (gzip or
// not), checked against its diffID; the result is checked against the new diffID before anything
// refers to it. A basis delivered by an earlier delta is stored uncompressed under its diffID (the
// registry's path is its digest): it is neither unpacked nor hashed again, and a damaged one still
// cannot pass the check of the result. One rebuild of a layer at a time (flock on its work directory):
// a retry after a cut link may meet the first run still going, since a command without a terminal
// outlives its SSH session, and two deploys of one layer meet the same way; the one that waits finds
// the layer committed. Each attempt works in a directory of its own, removed however it ends. The
// blob goes into the registry first, the repository's link to it second, one committer per robot at
// a time, and that part ignores hang-ups: a Ctrl-C on the laptop cannot leave a half-copied blob
// behind a link.
const APPLY_SCRIPT = `reg=$1 repo=$2 work=$3 target=$4 basis=$5 blob=$6
shift 6
${ROBOT_LOCK}
dir=${DELTA_ROOT}/$work
hex=\${target#sha256:} bhex=\${basis#sha256:} blobhex=\${blob#sha256:}
fail() { echo "$1" >&2; cd / && rm -rf "$dir"; exit "\${2:-1}"; }
sum() { sha256sum < "$1" | cut -d' ' -f1; }
committed() { docker cp "$reg:${REGISTRY_V2}/repositories/$repo/_layers/sha256/$hex/link" - >/dev/null 2>&1; }
finish() { cd / && rm -rf "$dir"; echo "committed $target"; exit 0; }
[ -d "$dir" ] || { echo "no delta work directory $dir" >&2; exit ${DELTA_BATCH_MISSING}; }
if command -v flock >/dev/null 2>&1; then { command exec 8<"$dir"; } 2>/dev/null && flock -x 8 || fail "cannot lock $dir"; fi
committed && finish
at=$dir/attempt.$$
mkdir "$at" && cd "$at" || fail "cannot make $at"
trap 'cd / && rm -rf "$at"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
t=$(date +%s%N)
phase() { n=$(date +%s%N); echo "phase $1 $(( (n - t) / 1000000 ))"; t=$n; }
cat > recipe || exit 1
if [ ! -f "$dir/basis" ]; then
  from="$reg:${REGISTRY_V2}/blobs/sha256/$(printf %.2s "$blobhex")/$blobhex/data"
  if [ "$blob" != "$basis" ]; then
    docker cp "$from" - | tar -xOf - | gzip -dc > basis.tmp
    [ "$(sum basis.tmp)" = "$bhex" ] || fail "the registry's copy of the earlier layer $basis is missing or damaged" ${DELTA_BASIS_MISMATCH}
  else
    docker cp "$from" - | tar -xOf - > basis.tmp
  fi
  mv basis.tmp "$dir/basis" || fail "cannot keep the earlier layer in $dir"
fi
phase basis
for b do [ -f "$dir/$b" ] || fail "literal batch $b is missing" ${DELTA_BATCH_MISSING}; done
if [ $# -gt 0 ]; then (cd "$dir" && gzip -dc "$@") > literals || fail "cannot unpack the literal batches"; else : > literals; fi
phase literals
while read -r from off len; do
  case $from in b) src=$dir/basis ;; l) src=literals ;; *) fail "bad recipe line: $from" ;; esac
  dd if="$src" iflag=skip_bytes,count_bytes skip="$off" count="$len" bs=1M status=none || fail "cannot read $src"
done < recipe > layer.tmp || fail "cannot write the rebuilt layer in $at"
phase replay
[ "$(sum layer.tmp)" = "$hex" ] || fail "the rebuilt layer does not match $target; nothing was stored" ${DELTA_LAYER_MISMATCH}
phase verify
rm -f literals recipe
p=$(printf %.2s "$hex")
mkdir -p "blob/docker/registry/v2/blobs/sha256/$p/$hex" "link/docker/registry/v2/repositories/$repo/_layers/sha256/$hex" || fail "cannot stage the layer"
mv layer.tmp "blob/docker/registry/v2/blobs/sha256/$p/$hex/data" || fail "cannot stage the layer"
printf 'sha256:%s' "$hex" > "link/docker/registry/v2/repositories/$repo/_layers/sha256/$hex/link" || fail "cannot stage the layer"
trap '' HUP INT TERM PIPE
robot_lock -x robot-deploy-delta
if ! committed; then
  docker cp blob/. "$reg:/var/lib/registry/" >/dev/null || fail "docker cp of the layer into the registry failed"
  docker cp link/. "$reg:/var/lib/registry/" >/dev/null || fail "docker cp of the layer's link into the registry failed"
fi
phase store
finish`;

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
export const deltaDiscard = (work: string): string[] => ['sh', '-c', `rm -rf "${DELTA_ROOT}/$1"`, 'delta-discard', work];

/** prune: every delta work directory (interrupted transfers) goes. */
export const deltaClear = (): string[] => ['sh', '-c', `rm -rf "${DELTA_ROOT}"`];
