# shellcheck shell=sh
# remove-images ID...: only images still untagged: a rollback since the inventory may have given one a tag
# again (prune holds the robot's lock, so no deploy runs meanwhile). `docker image rm` without --force
# refuses an image a container uses.
for id do
  [ "$(docker image inspect --format '{{len .RepoTags}}' "$id" 2>/dev/null)" = 0 ] && set -- "$@" "$id"
  shift
done
[ $# -eq 0 ] || docker image rm "$@"
