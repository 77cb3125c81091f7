# shellcheck shell=sh
# rollback TARGET PREVIOUS: swap IMAGE:WS and IMAGE:WS.prev by ID; IMAGE:WS moves in one `docker tag`.
# Exit 3 (ROLLBACK_NO_CURRENT): no TARGET; exit 4 (ROLLBACK_NO_PREVIOUS): no PREVIOUS. Needs lock.sh.
dst=$1 prev=$2
robot_lock -x
cur=$(docker image inspect --format '{{.Id}}' "$dst" 2>/dev/null) || { echo "no image $dst" >&2; exit 3; }
old=$(docker image inspect --format '{{.Id}}' "$prev" 2>/dev/null) || { echo "no previous image $prev" >&2; exit 4; }
docker image tag "$old" "$dst" || exit 1
docker image tag "$cur" "$prev" || exit 1
echo "current $old"
echo "previous $cur"
