// Argv builder for <NAME>_COMPOSE: after a deploy, `docker compose up -d` recreates the services
// whose image changed, so they run the new IMAGE:WS (robot-sh/compose-up.sh). The spec arrives as a positional parameter.
import { robotScript } from './robot-sh.ts';

/** The robot has no `docker compose` (v2 plugin). */
export const COMPOSE_MISSING = 4;
/** A project name that no container on the robot carries. */
export const COMPOSE_NO_PROJECT = 3;

const COMPOSE_SCRIPT = robotScript('compose-up.sh');

export function composeUp(spec: string): string[] {
  return ['sh', '-c', COMPOSE_SCRIPT, 'compose-up', spec];
}
