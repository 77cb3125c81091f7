# shellcheck shell=sh
# delta-state REGISTRY REPO WORK TARGET NEED BASIS_NEED LAYER: whether the registry already holds the layer
# TARGET in REPO ("committed"); else the literal batches kept from an earlier, interrupted attempt in the
# work directory WORK ("have NAME": a cut link costs only the batch in flight). Before any byte is sent:
# whether the disk holds the rebuild at its peak (NEED bytes of work files, BASIS_NEED more unless an
# earlier attempt left the basis, and the layer's LAYER bytes again when docker copies it into the
# registry on the same filesystem), else "space-short NEED FREE MOUNT PATH" and exit 7 (DELTA_NO_SPACE).
# Work directories nobody touched for a day are what interrupted transfers left: they go.
# The root is DELTA_ROOT (commands/robot-delta.ts).
reg=$1 repo=$2 work=$3 target=$4 need=$5 basis_need=$6 layer=$7
hex=${target#sha256:}
if docker cp "$reg:/var/lib/registry/docker/registry/v2/repositories/$repo/_layers/sha256/$hex/link" - >/dev/null 2>&1; then echo committed; exit 0; fi
root=${XDG_CACHE_HOME:-$HOME/.cache}/robot-deploy/delta
dir=$root/$work
mkdir -p "$dir" || exit 1
find "$root" -mindepth 1 -maxdepth 1 -type d -mtime +0 ! -name "$work" -exec rm -rf {} + 2>/dev/null
free_at() { df -Pk "$1" 2>/dev/null | { read -r _; read -r _ _ _ kb _ mnt && echo "$((kb * 1024)) $mnt"; }; }
short() { echo "space-short $1 $2 $3 $4"; cd / && rm -rf "$dir"; exit 7; }
[ -f "$dir/basis" ] || need=$((need + basis_need))
# shellcheck disable=SC2046 # split on purpose: free bytes and mount point become $1 and $2
set -- $(free_at "$dir")
if [ -n "$1" ]; then
  work_free=$1 work_mount=$2
  store=$(docker info --format '{{.DockerRootDir}}' 2>/dev/null)
  # shellcheck disable=SC2046 # split on purpose, as above
  set -- $(free_at "${store:-/}")
  if [ "$2" = "$work_mount" ]; then need=$((need + layer))
  elif [ -n "$1" ] && [ "$1" -lt "$layer" ]; then short "$layer" "$1" "$2" "${store:-/}"; fi
  [ "$work_free" -ge "$need" ] || short "$need" "$work_free" "$work_mount" "$dir"
fi
for f in "$dir"/batch.*; do
  case $f in *.tmp) continue ;; esac
  [ -f "$f" ] && echo "have ${f##*/}"
done
exit 0
