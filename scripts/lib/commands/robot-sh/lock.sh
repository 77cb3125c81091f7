# shellcheck shell=sh
# One lock per robot: util-linux flock on a file in /var/lib/robot-deploy (ROBOT_LOCK_DIR on the laptop).
# That directory must belong to root (or the deploying user), with no permission for other accounts
# (2770, group docker, is what robot-deploy makes): no other account can create, replace or hold a lock
# file there, and every deploying account, whatever its TMPDIR, takes the same one. As root, or with
# passwordless sudo, it is made on first use. Where it is missing and the account may not make it, the
# account's own directory in its home stands in (0700): still no one else's to squat, but teammates who
# log in as other accounts then do not exclude each other (doctor says so).
# `robot_lock -s` for a deploy's pull & tag (deploys may run side by side), `robot_lock -x` for a
# rollback; prune holds it exclusively for its whole run (hold-lock.sh). A second name gives a lock of
# its own: starting the registry takes one, because a deploy already holds the robot's lock shared at
# that point. A robot without flock runs unlocked.
# Exit 76 (ROBOT_LOCK_UNUSABLE): no lock it could trust, the message says what to run; exit 75
# (ROBOT_LOCK_BUSY): someone else held it for over 120 s (ROBOT_LOCK_WAIT_SECONDS).
lock_group() {
  s=${DOCKER_HOST:-unix:///var/run/docker.sock}; s=${s#unix://}
  g=$(stat -c %G "$s" 2>/dev/null)
  if [ -n "$g" ] && { [ "$(id -u)" = 0 ] || case " $(id -Gn) " in *" $g "*) true ;; *) false ;; esac; }; then echo "$g"; else id -gn; fi
}
own_lock_dir() {
  d=${HOME:?}/.cache/robot-deploy/locks
  (umask 077 && mkdir -p "$d") 2>/dev/null
  # shellcheck disable=SC2046 # split on purpose: owner and mode become $1 and $2
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
  # shellcheck disable=SC2046 # split on purpose: owner and mode become $1 and $2
  set -- $(stat -c '%u %a' "$d")
  if [ "$1" != 0 ] && [ "$1" != "$(id -u)" ]; then echo "$d belongs to uid $1, not root: that account could swap the lock; run on the robot: sudo chown root $d" >&2; return 1; fi
  case $2 in *0) echo "$d" ;; *) echo "$d (mode $2) is open to other accounts, which could hold the lock; run on the robot: sudo chmod o= $d" >&2; return 1 ;; esac
}
robot_lock() {
  command -v flock >/dev/null 2>&1 || return 0
  lock_dir=$(lock_dir_of /var/lib/robot-deploy) || exit 76
  lock=$lock_dir/${2:-robot-deploy}.lock
  [ -e "$lock" ] || [ -L "$lock" ] || (umask 022 && : >> "$lock") 2>/dev/null
  if [ -L "$lock" ] || [ ! -f "$lock" ]; then
    echo "user $(id -un) cannot create the lock $lock: add it to the group of $lock_dir (sudo usermod -aG $(stat -c %G "$lock_dir") $(id -un)), or remove what is there" >&2; exit 76; fi
  # command: a failed redirection of the special built-in exec would end the script silently.
  { command exec 9<"$lock"; } 2>/dev/null || {
    echo "user $(id -un) may not open the lock $lock: add it to group $(stat -c %G "$lock_dir") (sudo usermod -aG $(stat -c %G "$lock_dir") $(id -un))" >&2; exit 76; }
  flock -w 120 "$1" 9 || {
    echo "another deploy, rollback or prune on this robot held $lock for over 120 s; try again" >&2; exit 75; }
}
