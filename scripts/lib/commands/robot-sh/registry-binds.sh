# shellcheck shell=sh
# Where the registry container $1 listens, as bind=HOST:PORT lines. robot-deploy's own registry runs on
# the host network with REGISTRY_HTTP_ADDR=127.0.0.1:P; an older one published with -p answers
# `docker container port` and prints network=published.
registry_binds() {
  docker container inspect --format '{{.HostConfig.NetworkMode}}{{range .Config.Env}} {{.}}{{end}}' "$1" 2>/dev/null | {
    read -r net env; [ -n "$net" ] || exit 0
    if [ "$net" = host ]; then
      for e in $env; do case $e in REGISTRY_HTTP_ADDR=*) echo "bind=${e#REGISTRY_HTTP_ADDR=}" ;; esac; done
    else
      docker container port "$1" 5000/tcp | sed 's/^/bind=/'; echo network=published
    fi
  }
}
