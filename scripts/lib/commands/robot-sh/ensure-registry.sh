# shellcheck shell=sh
# ensure-registry NAME PORT IMAGE VOLUME: idempotent: running → nothing; stopped → start; absent → run.
# Two deploys starting it at once take turns on a lock of its own (the robot's lock is already held
# shared by the deploy). On a robot without flock, a teammate creating it at the same moment makes our
# `docker run` fail on the name, or finds the port already listening: then it is theirs to start, once
# dockerd shows it (it reserves the name before the container can be inspected or started, which reads
# as "No such container"). The registry shares the robot's network and listens on its 127.0.0.1 only:
# no -p, because Docker before 28 lets hosts on the same LAN reach ports published on 127.0.0.1
# (moby/moby#45610). One published with -p by an older robot-deploy is recreated that way, on its port,
# with its volume. Prints status=… and the registry's bind=… lines. Exit 3 (ENSURE_NO_IMAGE): no IMAGE
# on the robot; exit 4 (ENSURE_PORT_BUSY): something else listens on PORT. Needs lock.sh and
# registry-binds.sh.
name=$1 port=$2 image=$3 volume=$4
robot_lock -x robot-deploy-registry
hexport() { printf '%04X' "$1"; }
listening() {
  hex=$(hexport "$1")
  for f in /proc/net/tcp /proc/net/tcp6; do
    [ -r "$f" ] || continue
    while read -r _ local _ st _; do case "$local $st" in *":$hex 0A") return 0 ;; esac; done < "$f"
  done
  return 1
}
await_listen() { i=0; while [ $i -lt 100 ]; do listening "$1" && return 0; sleep 0.1; i=$((i + 1)); done
  echo "the registry did not start listening on 127.0.0.1:$1; see 'docker logs $name' on the robot" >&2; exit 1; }
start_existing() {
  out=$(docker start "$name" 2>&1) || { echo "$out" >&2; exit 1; }
  bound=$(registry_binds "$name" | sed -n 's/^bind=127.0.0.1://p' | head -n 1)
  await_listen "${bound:-$port}"
}
adopt() {
  i=0; until docker container inspect "$name" >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 50 ] || { echo "$1" >&2; exit 1; }; sleep 0.1
  done
  start_existing; echo status=running
}
create() {
  if listening "$1"; then
    docker container inspect "$name" >/dev/null 2>&1 && { adopt ''; return; }
    echo status=port-busy; exit 4
  fi
  if err=$(docker run -d --name "$name" --restart always --network host -v "$volume:/var/lib/registry" -e "REGISTRY_HTTP_ADDR=127.0.0.1:$1" -e REGISTRY_STORAGE_DELETE_ENABLED=true "$image" 2>&1 >/dev/null); then
    await_listen "$1"; echo "status=$2"
  else adopt "$err"
  fi
}
state=$(docker container inspect --format '{{.State.Status}}' "$name" 2>/dev/null) || state=absent
if [ "$state" != absent ] && registry_binds "$name" | grep -q '^network=published$'; then
  old=$(registry_binds "$name" | sed -n 's/^bind=127.0.0.1://p' | head -n 1)
  docker rm -f "$name" >/dev/null || exit 1
  state=absent port=${old:-$port} fresh=recreated
fi
case $state in
  running) echo status=running ;;
  absent)
    docker image inspect "$image" >/dev/null 2>&1 || { echo status=no-image; exit 3; }
    create "$port" "${fresh:-created}" ;;
  *) start_existing; echo status=started ;;
esac
registry_binds "$name"
