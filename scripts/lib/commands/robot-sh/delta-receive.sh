# shellcheck shell=sh
# delta-receive WORK NAME SHA256: one batch of literals on stdin; it gets its name only once complete and
# checked. The temporary name is this shell's own: a receiver from a cut connection may still be alive
# beside a retry. The root is DELTA_ROOT (commands/robot-delta.ts).
work=$1 name=$2 sum=$3
dir=${XDG_CACHE_HOME:-$HOME/.cache}/robot-deploy/delta/$work
tmp=$dir/$name.$$.tmp
mkdir -p "$dir" || exit 1
cat > "$tmp" || { rm -f "$tmp"; exit 1; }
if [ "$(sha256sum < "$tmp" | cut -d' ' -f1)" != "$sum" ]; then rm -f "$tmp"; echo "batch $name arrived damaged" >&2; exit 1; fi
mv "$tmp" "$dir/$name"
