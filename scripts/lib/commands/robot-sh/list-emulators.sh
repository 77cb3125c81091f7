# shellcheck shell=sh
# Prints "emulates ARCH" for every qemu binfmt handler the robot's kernel has enabled. Shell builtins
# only: a host with qemu-user-static has some 30 handlers, and this runs on every deploy.
list_emulators() {
  for f in /proc/sys/fs/binfmt_misc/qemu-*; do [ -f "$f" ] && read -r s < "$f" && [ "$s" = enabled ] && echo "emulates ${f##*qemu-}"; done
}
