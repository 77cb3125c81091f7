# shellcheck shell=sh
# For prune: every delta work directory (what interrupted transfers left) goes.
# The root is DELTA_ROOT (commands/robot-delta.ts).
rm -rf "${XDG_CACHE_HOME:-$HOME/.cache}/robot-deploy/delta"
