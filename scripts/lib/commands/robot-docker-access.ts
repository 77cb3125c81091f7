// How robot commands reach the robot's docker as robots are set up in practice (robot-sh/docker-access.sh):
// every robot command starts with that prelude, which defines `docker` as a shell function.
import { quotePosix } from '../shell/posix-quote.ts';
import { robotScript } from './robot-sh.ts';

export interface DockerAccess {
  /** <NAME>_DOCKER from robots.env: the docker CLI's path on the robot. */
  dockerPath?: string;
  /** The robots.env prefix, so the messages name the key to set. */
  envPrefix: string;
}

/** Exit codes of the prelude, so the laptop can explain them: no docker CLI, docker's socket closed to the user. */
export const NO_DOCKER_CLI = 127;
export const DOCKER_DENIED = 126;

/** The prelude: robot-sh/docker-access.sh after a line that assigns its values, quoted (it must leave $1… to the script). */
export function accessPrelude({ dockerPath, envPrefix }: DockerAccess): string {
  return `rd_docker=${quotePosix(dockerPath ?? '')} rd_key=${quotePosix(`${envPrefix}_DOCKER`)}\n${robotScript('docker-access.sh')}`;
}

/** The same argv, with `docker` found and reachable: `sh -c SCRIPT …` gets the prelude, a bare docker command is wrapped. */
export function withDockerAccess(argv: readonly string[], access: DockerAccess): string[] {
  const prelude = accessPrelude(access);
  if (argv[0] === 'sh' && argv[1] === '-c' && argv.length >= 3) return ['sh', '-c', `${prelude}\n${argv[2]}`, ...argv.slice(3)];
  if (argv[0] === 'docker') return ['sh', '-c', `${prelude}\ndocker "$@"`, 'docker', ...argv.slice(1)];
  return [...argv];
}
