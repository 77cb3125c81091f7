# shellcheck shell=sh
# compose-up SPEC: after a deploy, `docker compose up -d` recreates the services whose image changed, so
# they run the new IMAGE:WS. An absolute SPEC is the compose file; a name is a project that ran before,
# whose files and directory compose recorded in its containers' labels. Exit 4 (COMPOSE_MISSING): no
# `docker compose` (v2 plugin); exit 3 (COMPOSE_NO_PROJECT): no container carries that project's label.
spec=$1
docker compose version >/dev/null 2>&1 || { echo "docker compose (v2) is not installed here: install the compose plugin (Debian/Ubuntu: docker-compose-v2 or docker-compose-plugin)" >&2; exit 4; }
case $spec in
  /*) set -- -f "$spec" ;;
  *) label() { docker ps -a --filter "label=com.docker.compose.project=$spec" --format "{{.Label \"com.docker.compose.project.$1\"}}" | head -n 1; }
    files=$(label config_files) dir=$(label working_dir)
    [ -n "$files" ] || { echo "no compose project \"$spec\" here (no container carries its label): run it once with docker compose up, or give the compose file's absolute path" >&2; exit 3; }
    set -- -p "$spec" --project-directory "$dir"
    old_ifs=$IFS; IFS=,
    for f in $files; do set -- "$@" -f "$f"; done
    IFS=$old_ifs ;;
esac
docker compose "$@" up -d 2>&1
