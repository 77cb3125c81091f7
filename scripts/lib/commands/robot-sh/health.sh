# shellcheck shell=sh
# health IMAGE NAME LOCKDIR: everything doctor asks about a robot's engine, in one round trip: docker's
# version and platform, how it is reached, the image store, qemu handlers, the registry image IMAGE and
# container NAME, free disk under docker's root, and whether the lock directory LOCKDIR is there, will be
# made, or each account locks in its own home. Exit 10 (DOCKER_UNUSABLE): docker does not answer.
# Needs registry-binds.sh and list-emulators.sh, after the docker-access.sh prelude.
# shellcheck disable=SC2154 # rd_docker and rd_sudo: set by the docker-access.sh prelude every robot command starts with
image=$1 name=$2 lockdir=$3
docker version --format 'docker {{.Server.Version}} {{.Server.Os}}/{{.Server.Arch}}' || exit 10
echo "access${rd_sudo:+ sudo} $rd_docker"
docker info --format 'store {{json .DriverStatus}}'
list_emulators
docker image inspect "$image" >/dev/null 2>&1 && echo "registry-image yes" || echo "registry-image no"
state=$(docker container inspect --format '{{.State.Status}}' "$name" 2>/dev/null) || state=absent
echo "registry-state $state"
registry_binds "$name" | sed -n 's/^bind=/registry-bind /p; s/^network=/registry-network /p'
root=$(docker info --format '{{.DockerRootDir}}' 2>/dev/null)
df -Pk "${root:-/}" 2>/dev/null | awk 'NR==2 {print "disk-free-kb", $4}'
if [ -d "$lockdir" ] && [ ! -L "$lockdir" ]; then echo "lock-dir shared"
elif [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; then echo "lock-dir makeable"; else echo "lock-dir own"; fi
exit 0
