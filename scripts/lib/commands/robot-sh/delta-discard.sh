# shellcheck shell=sh
# delta-discard WORK: after a failed rebuild or transfer, this layer's work files go.
# The root is DELTA_ROOT (commands/robot-delta.ts).
rm -rf "${XDG_CACHE_HOME:-$HOME/.cache}/robot-deploy/delta/$1"
