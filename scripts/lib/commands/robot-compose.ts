// Argv builder for <NAME>_COMPOSE: after a deploy, `docker compose up -d` recreates the services
// whose image changed, so they run the new IMAGE:WS. The spec arrives as a positional parameter.

/** The robot has no `docker compose` (v2 plugin). */
export const COMPOSE_MISSING = 4;
/** A project name that no container on the robot carries. */
export const COMPOSE_NO_PROJECT = 3;

// An absolute path is the compose file; a name is a project that ran before, whose files and
// directory compose recorded in its containers' labels.
const COMPOSE_SCRIPT = `spec=$1
docker compose version >/dev/null 2>&1 || { echo "docker compose (v2) is not installed here: install the compose plugin (Debian/Ubuntu: docker-compose-v2 or docker-compose-plugin)" >&2; exit ${COMPOSE_MISSING}; }
case $spec in
  /*) set -- -f "$spec" ;;
  *) label() { docker ps -a --filter "label=com.docker.compose.project=$spec" --format "{{.Label \\"com.docker.compose.project.$1\\"}}" | head -n 1; }
    files=$(label config_files) dir=$(label working_dir)
    [ -n "$files" ] || { echo "no compose project \\"$spec\\" here (no container carries its label): run it once with docker compose up, or give the compose file's absolute path" >&2; exit ${COMPOSE_NO_PROJECT}; }
    set -- -p "$spec" --project-directory "$dir"
    old_ifs=$IFS; IFS=,
    for f in $files; do set -- "$@" -f "$f"; done
    IFS=$old_ifs ;;
esac
docker compose "$@" up -d 2>&1`;

export function composeUp(spec: string): string[] {
  return ['sh', '-c', COMPOSE_SCRIPT, 'compose-up', spec];
}

/** What <NAME>_COMPOSE may be: an absolute file path on the robot, or a compose project name. */
export function composeSpecProblem(spec: string): string | undefined {
  if (spec.startsWith('/')) return /[\n\r,]/.test(spec) ? 'a compose file path may not contain a newline or a comma' : undefined;
  return /^[a-z0-9][a-z0-9_-]*$/.test(spec)
    ? undefined
    : 'is neither an absolute path of a compose file on the robot nor a compose project name (lower-case letters, digits, - and _)';
}
