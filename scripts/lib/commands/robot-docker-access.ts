// How robot commands reach the robot's docker as robots are set up in practice: docker outside the
// non-interactive SSH PATH (snap installs it in /snap/bin), or a user outside the docker group who
// may run `sudo -n docker`. Every robot script starts with this prelude, which defines `docker` as a
// shell function; it costs no extra round trip and, on a robot in the docker group, no extra process.
import { quotePosix } from '../shell/posix-quote.ts';

export interface DockerAccess {
  /** <NAME>_DOCKER from robots.env: the docker CLI's path on the robot. */
  dockerPath?: string;
  /** The robots.env prefix, so the messages name the key to set. */
  envPrefix: string;
}

/** Exit codes of the prelude, so the laptop can explain them. */
export const NO_DOCKER_CLI = 127;
export const DOCKER_DENIED = 126;

const SEARCHED = ['/snap/bin/docker', '/usr/local/bin/docker', '/usr/bin/docker'];

export function accessPrelude({ dockerPath, envPrefix }: DockerAccess): string {
  const key = `${envPrefix}_DOCKER`;
  return `rd_docker=${quotePosix(dockerPath ?? '')}
[ -n "$rd_docker" ] || rd_docker=$(command -v docker) || for p in ${SEARCHED.join(' ')}; do if [ -x "$p" ]; then rd_docker=$p; break; fi; done
if [ -z "$rd_docker" ] || [ ! -x "$rd_docker" ]; then
  echo "no docker CLI here \${rd_docker:+at $rd_docker }(searched PATH=$PATH and ${SEARCHED.join(', ')}): install Docker, or set ${key}=/path/to/docker in robots.env" >&2; exit ${NO_DOCKER_CLI}
fi
rd_sock=\${DOCKER_HOST:-unix:///var/run/docker.sock}
rd_sudo=
case $rd_sock in unix://*)
  rd_sock=\${rd_sock#unix://}
  if [ -S "$rd_sock" ] && [ ! -w "$rd_sock" ]; then
    if sudo -n "$rd_docker" \${DOCKER_HOST:+-H "$DOCKER_HOST"} version >/dev/null 2>&1; then rd_sudo=1; else
      echo "user $(id -un) may not use $rd_sock and \\\`sudo -n docker\\\` is not allowed: add the user to the docker group (sudo usermod -aG docker $(id -un)) or allow passwordless sudo for $rd_docker" >&2; exit ${DOCKER_DENIED}
    fi
  fi ;;
esac
if [ -n "$rd_sudo" ]; then docker() { sudo -n "$rd_docker" \${DOCKER_HOST:+-H "$DOCKER_HOST"} "$@"; }; else docker() { "$rd_docker" "$@"; }; fi`;
}

/** The same argv, with `docker` found and reachable: `sh -c SCRIPT …` gets the prelude, a bare docker command is wrapped. */
export function withDockerAccess(argv: readonly string[], access: DockerAccess): string[] {
  const prelude = accessPrelude(access);
  if (argv[0] === 'sh' && argv[1] === '-c' && argv.length >= 3) return ['sh', '-c', `${prelude}\n${argv[2]}`, ...argv.slice(3)];
  if (argv[0] === 'docker') return ['sh', '-c', `${prelude}\ndocker "$@"`, 'docker', ...argv.slice(1)];
  return [...argv];
}
