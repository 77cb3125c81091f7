// Argv builders for the delta transfer on the robot (see deploy/steps/delta-step.ts). Fixed scripts,
// values as positional parameters. They use only sh, coreutils (sha256sum, dd, cut, mkdir, mv,
// rm, cat, date), gzip, tar and docker: `docker cp` reads and writes the registry container's storage,
// which needs no tool inside the container. Work files live in one directory per layer under
// ~/.cache/robot-deploy/delta; a finished layer leaves nothing there, prune removes what is left.

/** Root of the robot's delta work directories. */
export const DELTA_ROOT = '${XDG_CACHE_HOME:-$HOME/.cache}/robot-deploy/delta';
const REGISTRY_V2 = '/var/lib/registry/docker/registry/v2';

/** Exit codes of APPLY_SCRIPT the laptop explains. */
export const DELTA_BASIS_MISMATCH = 3;
export const DELTA_BATCH_MISSING = 4;
export const DELTA_LAYER_MISMATCH = 6;

// Whether the registry already holds the layer in this repository; else the literal batches kept
// from an earlier, interrupted attempt (a cut link costs only the batch in flight).
const STATE_SCRIPT = `reg=$1 repo=$2 work=$3 target=$4
hex=\${target#sha256:}
if docker cp "$reg:${REGISTRY_V2}/repositories/$repo/_layers/sha256/$hex/link" - >/dev/null 2>&1; then echo committed; exit 0; fi
dir=${DELTA_ROOT}/$work
mkdir -p "$dir" || exit 1
for f in "$dir"/batch.*; do
  case $f in *.tmp) continue ;; esac
  [ -f "$f" ] && echo "have \${f##*/}"
done
exit 0`;

export function deltaState(registry: string, repo: string, work: string, target: string): string[] {
  return ['sh', '-c', STATE_SCRIPT, 'delta-state', registry, repo, work, target];
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
// cannot pass the check of the result. The blob goes into the registry first, the repository's link to it second, and
// that part ignores hang-ups: a Ctrl-C on the laptop cannot leave a half-copied blob behind a link.
const APPLY_SCRIPT = `reg=$1 repo=$2 work=$3 target=$4 basis=$5 blob=$6
shift 6
fail() { echo "$1" >&2; exit "\${2:-1}"; }
sum() { sha256sum < "$1" | cut -d' ' -f1; }
dir=${DELTA_ROOT}/$work
hex=\${target#sha256:} bhex=\${basis#sha256:} blobhex=\${blob#sha256:}
cd "$dir" 2>/dev/null || fail "no delta work directory $dir" ${DELTA_BATCH_MISSING}
t=$(date +%s%N)
phase() { n=$(date +%s%N); echo "phase $1 $(( (n - t) / 1000000 ))"; t=$n; }
cat > recipe || exit 1
if [ ! -f basis ]; then
  docker cp "$reg:${REGISTRY_V2}/blobs/sha256/$(printf %.2s "$blobhex")/$blobhex/data" - | tar -xOf - > basis.tmp
  if [ "$blob" != "$basis" ]; then
    gzip -dc < basis.tmp > basis.raw && mv basis.raw basis.tmp
    [ "$(sum basis.tmp)" = "$bhex" ] || { rm -f basis.tmp basis.raw; fail "the registry's copy of the earlier layer $basis is missing or damaged" ${DELTA_BASIS_MISMATCH}; }
  fi
  mv basis.tmp basis
fi
phase basis
for b do [ -f "$b" ] || fail "literal batch $b is missing" ${DELTA_BATCH_MISSING}; done
if [ $# -gt 0 ]; then gzip -dc "$@" > literals || fail "cannot unpack the literal batches"; else : > literals; fi
phase literals
while read -r from off len; do
  case $from in b) src=basis ;; l) src=literals ;; *) fail "bad recipe line: $from" ;; esac
  dd if="$src" iflag=skip_bytes,count_bytes skip="$off" count="$len" bs=1M status=none || fail "cannot read $src"
done < recipe > layer.tmp
phase replay
[ "$(sum layer.tmp)" = "$hex" ] || { rm -f layer.tmp; fail "the rebuilt layer does not match $target; nothing was stored" ${DELTA_LAYER_MISMATCH}; }
phase verify
p=$(printf %.2s "$hex")
mkdir -p "blob/docker/registry/v2/blobs/sha256/$p/$hex" "link/docker/registry/v2/repositories/$repo/_layers/sha256/$hex" || exit 1
mv layer.tmp "blob/docker/registry/v2/blobs/sha256/$p/$hex/data" || exit 1
printf 'sha256:%s' "$hex" > "link/docker/registry/v2/repositories/$repo/_layers/sha256/$hex/link" || exit 1
trap '' HUP INT TERM PIPE
docker cp blob/. "$reg:/var/lib/registry/" >/dev/null || fail "docker cp of the layer into the registry failed"
docker cp link/. "$reg:/var/lib/registry/" >/dev/null || fail "docker cp of the layer's link into the registry failed"
phase store
cd / && rm -rf "$dir"
echo "committed $target"`;

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

/** prune: every delta work directory (interrupted transfers) goes. */
export const deltaClear = (): string[] => ['sh', '-c', `rm -rf "${DELTA_ROOT}"`];
