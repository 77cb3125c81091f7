# shellcheck shell=sh
# robot-lock -s|-x SECONDS: the robot's lock held for as long as the laptop keeps this session open (see
# ssh/robot-lock.ts): the same robot_lock the one-shot scripts take, then one heartbeat byte at a time,
# each within SECONDS. An ended channel (EOF) or a silent laptop ends the loop, the script, and the lock
# with it. Needs lock.sh.
robot_lock "$1"
echo locked
while [ "$(timeout "$2" head -c 1 9<&-)" = . ]; do :; done
