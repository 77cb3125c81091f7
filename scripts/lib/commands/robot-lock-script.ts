// The robot-side lock every robot script and the lock holder share.

/** Exit code of a robot script that waited too long for the robot's lock. */
export const ROBOT_LOCK_BUSY = 75;
/** Exit code of a robot script that found no lock it could trust (its message says what to run). */
export const ROBOT_LOCK_UNUSABLE = 76;
/** How long a robot script waits for a lock someone else holds. */
export const ROBOT_LOCK_WAIT_SECONDS = 120;
/** Where the robot keeps its locks: a directory only root creates, closed to accounts that do not deploy. */
export const ROBOT_LOCK_DIR = '/var/lib/robot-deploy';

/**
 * Shell functions: one lock per robot, util-linux flock on a file in ROBOT_LOCK_DIR. That directory
 * must belong to root (or the deploying user), with no permission for other accounts (2770, group
 * docker, is what robot-deploy makes): no other account can create, replace or hold a lock file
 * there, and every deploying account, whatever its TMPDIR, takes the same one. As root, or with
 * passwordless sudo, it is made on first use. Where it is missing and the account may not make it,
 * the account's own directory in its home stands in (0700): still no one else's to squat, but
 * teammates who log in as other accounts then do not exclude each other (doctor says so).
 * `robot_lock -s` for a deploy's pull & tag (deploys may run side by side), `robot_lock -x` for a
 * rollback; prune holds it exclusively for its whole run (ssh/robot-lock.ts). A second name gives a
 * lock of its own: starting the registry takes one, because a deploy already holds the robot's lock
 * shared at that point. A robot without flock runs unlocked.
 */
export const ROBOT_LOCK = `lock_group() {
  s=\${DOCKER_HOST:-unix:///var/run/docker.sock}; s=\${s#unix://}
  g=$(stat -c %G "$s" 2>/dev/null)
  if [ -n "$g" ] && { [ "$(id -u)" = 0 ] || case " $(id -Gn) " in *" $g "*) true ;; *) false ;; esac; }; then echo "$g"; else id -gn; fi
}
own_lock_dir() {
  d=\${HOME:?}/.cache/robot-deploy/locks
  (umask 077 && mkdir -p "$d") 2>/dev/null
  set -- $(stat -c '%u %a' "$d" 2>/dev/null)
  if [ -L "$d" ] || [ "$1" != "$(id -u)" ]; then echo "$d is not user $(id -un)'s own directory; remove it" >&2; return 1; fi
  case $2 in *00) echo "$d" ;; *) echo "$d (mode $2) is open to other accounts; run on the robot: chmod 700 $d" >&2; return 1 ;; esac
}
lock_dir_of() {
  d=$1
  if [ ! -e "$d" ] && [ ! -L "$d" ]; then
    g=$(lock_group)
    if [ "$(id -u)" = 0 ]; then install -d -m 2770 -g "$g" "$d"; else sudo -n install -d -o root -g "$g" -m 2770 "$d"; fi >/dev/null 2>&1 || {
      own_lock_dir; return; }
  fi
  if [ -L "$d" ] || [ ! -d "$d" ]; then echo "$d is not a directory; replace it: sudo rm $d && sudo install -d -m 2770 -g $(lock_group) $d" >&2; return 1; fi
  set -- $(stat -c '%u %a' "$d")
  if [ "$1" != 0 ] && [ "$1" != "$(id -u)" ]; then echo "$d belongs to uid $1, not root: that account could swap the lock; run on the robot: sudo chown root $d" >&2; return 1; fi
  case $2 in *0) echo "$d" ;; *) echo "$d (mode $2) is open to other accounts, which could hold the lock; run on the robot: sudo chmod o= $d" >&2; return 1 ;; esac
}
robot_lock() {
  command -v flock >/dev/null 2>&1 || return 0
  lock_dir=$(lock_dir_of ${ROBOT_LOCK_DIR}) || exit ${ROBOT_LOCK_UNUSABLE}
  lock=$lock_dir/\${2:-robot-deploy}.lock
  [ -e "$lock" ] || [ -L "$lock" ] || (umask 022 && : >> "$lock") 2>/dev/null
  if [ -L "$lock" ] || [ ! -f "$lock" ]; then
    echo "user $(id -un) cannot create the lock $lock: add it to the group of $lock_dir (sudo usermod -aG $(stat -c %G "$lock_dir") $(id -un)), or remove what is there" >&2; exit ${ROBOT_LOCK_UNUSABLE}; fi
  # command: a failed redirection of the special built-in exec would end the script silently.
  { command exec 9<"$lock"; } 2>/dev/null || {
    echo "user $(id -un) may not open the lock $lock: add it to group $(stat -c %G "$lock_dir") (sudo usermod -aG $(stat -c %G "$lock_dir") $(id -un))" >&2; exit ${ROBOT_LOCK_UNUSABLE}; }
  flock -w ${ROBOT_LOCK_WAIT_SECONDS} "$1" 9 || {
    echo "another deploy, rollback or prune on this robot held $lock for over ${ROBOT_LOCK_WAIT_SECONDS} s; try again" >&2; exit ${ROBOT_LOCK_BUSY}; }
}`;
