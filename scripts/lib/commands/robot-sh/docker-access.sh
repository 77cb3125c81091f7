# shellcheck shell=sh
# Every robot command starts with this prelude: it finds docker as robots are set up in practice (docker
# outside the non-interactive SSH PATH, as snap installs it in /snap/bin; a user outside the docker group
# who may run `sudo -n docker`) and defines `docker` as a shell function. It costs no extra round trip
# and, on a robot in the docker group, no extra process. It must leave the positional parameters to the
# script after it, so the laptop's line before it assigns its two values, quoted: rd_docker
# (<NAME>_DOCKER, may be empty) and rd_key (that key's name, for the messages).
# Exit 127 (NO_DOCKER_CLI): no docker CLI; exit 126 (DOCKER_DENIED): the socket is closed to this user.
# shellcheck disable=SC2154 # rd_key: assigned by the laptop's line before this prelude
[ -n "$rd_docker" ] || rd_docker=$(command -v docker) || for p in /snap/bin/docker /usr/local/bin/docker /usr/bin/docker; do if [ -x "$p" ]; then rd_docker=$p; break; fi; done
if [ -z "$rd_docker" ] || [ ! -x "$rd_docker" ]; then
  echo "no docker CLI here ${rd_docker:+at $rd_docker }(searched PATH=$PATH and /snap/bin/docker, /usr/local/bin/docker, /usr/bin/docker): install Docker, or set $rd_key=/path/to/docker in robots.env" >&2; exit 127
fi
rd_sock=${DOCKER_HOST:-unix:///var/run/docker.sock}
rd_sudo=
case $rd_sock in unix://*)
  rd_sock=${rd_sock#unix://}
  if [ -S "$rd_sock" ] && [ ! -w "$rd_sock" ]; then
    if sudo -n "$rd_docker" ${DOCKER_HOST:+-H "$DOCKER_HOST"} version >/dev/null 2>&1; then rd_sudo=1; else
      echo "user $(id -un) may not use $rd_sock and \`sudo -n docker\` is not allowed: add the user to the docker group (sudo usermod -aG docker $(id -un)) or allow passwordless sudo for $rd_docker" >&2; exit 126
    fi
  fi ;;
esac
if [ -n "$rd_sudo" ]; then docker() { sudo -n "$rd_docker" ${DOCKER_HOST:+-H "$DOCKER_HOST"} "$@"; }; else docker() { "$rd_docker" "$@"; }; fi
