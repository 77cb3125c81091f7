# shellcheck shell=sh
# delta-apply REGISTRY REPO WORK TARGET BASIS BLOB BATCH...: the recipe arrives on stdin. The basis is the
# registry's own blob BLOB of the earlier layer (gzip or not), checked against its diffID BASIS; the result
# is checked against the new diffID TARGET before anything refers to it. A basis delivered by an earlier
# delta is stored uncompressed under its diffID (the registry's path is its digest): it is neither
# unpacked nor hashed again, and a damaged one still cannot pass the check of the result.
# One rebuild of a layer at a time (flock on its work directory): a retry after a cut link may meet the
# first run still going, since a command without a terminal outlives its SSH session, and two deploys of
# one layer meet the same way; the one that waits finds the layer committed. Each attempt works in a
# directory of its own, removed however it ends. The blob goes into the registry first, the repository's
# link to it second, one committer per robot at a time, and that part ignores hang-ups: a Ctrl-C on the
# laptop cannot leave a half-copied blob behind a link.
# Exit 3 (DELTA_BASIS_MISMATCH), 4 (DELTA_BATCH_MISSING), 6 (DELTA_LAYER_MISMATCH); "phase NAME MS" lines
# time the steps. The root is DELTA_ROOT (commands/robot-delta.ts). Needs lock.sh.
reg=$1 repo=$2 work=$3 target=$4 basis=$5 blob=$6
shift 6
dir=${XDG_CACHE_HOME:-$HOME/.cache}/robot-deploy/delta/$work
hex=${target#sha256:} bhex=${basis#sha256:} blobhex=${blob#sha256:}
fail() { echo "$1" >&2; cd / && rm -rf "$dir"; exit "${2:-1}"; }
sum() { sha256sum < "$1" | cut -d' ' -f1; }
committed() { docker cp "$reg:/var/lib/registry/docker/registry/v2/repositories/$repo/_layers/sha256/$hex/link" - >/dev/null 2>&1; }
finish() { cd / && rm -rf "$dir"; echo "committed $target"; exit 0; }
[ -d "$dir" ] || { echo "no delta work directory $dir" >&2; exit 4; }
if command -v flock >/dev/null 2>&1; then { { command exec 8<"$dir"; } 2>/dev/null && flock -x 8; } || fail "cannot lock $dir"; fi
committed && finish
at=$dir/attempt.$$
{ mkdir "$at" && cd "$at"; } || fail "cannot make $at"
trap 'cd / && rm -rf "$at"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
t=$(date +%s%N)
phase() { n=$(date +%s%N); echo "phase $1 $(( (n - t) / 1000000 ))"; t=$n; }
cat > recipe || exit 1
if [ ! -f "$dir/basis" ]; then
  from="$reg:/var/lib/registry/docker/registry/v2/blobs/sha256/$(printf %.2s "$blobhex")/$blobhex/data"
  if [ "$blob" != "$basis" ]; then
    docker cp "$from" - | tar -xOf - | gzip -dc > basis.tmp
    [ "$(sum basis.tmp)" = "$bhex" ] || fail "the registry's copy of the earlier layer $basis is missing or damaged" 3
  else
    docker cp "$from" - | tar -xOf - > basis.tmp
  fi
  mv basis.tmp "$dir/basis" || fail "cannot keep the earlier layer in $dir"
fi
phase basis
for b do [ -f "$dir/$b" ] || fail "literal batch $b is missing" 4; done
if [ $# -gt 0 ]; then (cd "$dir" && gzip -dc "$@") > literals || fail "cannot unpack the literal batches"; else : > literals; fi
phase literals
while read -r from off len; do
  case $from in b) src=$dir/basis ;; l) src=literals ;; *) fail "bad recipe line: $from" ;; esac
  dd if="$src" iflag=skip_bytes,count_bytes skip="$off" count="$len" bs=1M status=none || fail "cannot read $src"
done < recipe > layer.tmp || fail "cannot write the rebuilt layer in $at"
phase replay
[ "$(sum layer.tmp)" = "$hex" ] || fail "the rebuilt layer does not match $target; nothing was stored" 6
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
finish
