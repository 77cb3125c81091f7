// The robot-side lock every robot script and the lock holder share.

/** Exit code of a robot script that waited too long for the robot's lock. */
export const ROBOT_LOCK_BUSY = 75;
/** How long a robot script waits for a lock someone else holds. */
export const ROBOT_LOCK_WAIT_SECONDS = 120;

/**
 * Shell function: one lock per robot (util-linux flock, in $TMPDIR or /tmp, shared by every user).
 * `robot_lock -s` for a deploy's pull & tag (deploys may run side by side), `robot_lock -x` for a
 * rollback; prune holds it exclusively for its whole run (ssh/robot-lock.ts). A second name gives a
 * lock of its own: starting the registry takes one, because a deploy already holds the robot's lock
 * shared at that point. A robot without flock runs unlocked.
 */
export const ROBOT_LOCK = `robot_lock() {
  command -v flock >/dev/null 2>&1 || return 0
  lock=\${TMPDIR:-/tmp}/\${2:-robot-deploy}.lock
  [ -e "$lock" ] || { : > "$lock" && chmod 666 "$lock"; } 2>/dev/null
  exec 9<"$lock" || return 0
  flock -w ${ROBOT_LOCK_WAIT_SECONDS} "$1" 9 || {
    echo "another deploy, rollback or prune on this robot held $lock for over ${ROBOT_LOCK_WAIT_SECONDS} s; try again" >&2; exit ${ROBOT_LOCK_BUSY}; }
}`;
