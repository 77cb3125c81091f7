# shellcheck shell=sh
# prune-inventory IMAGE PREV_SUFFIX WS...: one round trip: images to keep (current and rollback per
# workspace), images containers use, and every image with its creation time, tags and registry digests.
image=$1 prev=$2
shift 2
for ws do
  for ref in "$image:$ws" "$image:$ws$prev"; do
    id=$(docker image inspect --format '{{.Id}}' "$ref" 2>/dev/null) && echo "keep $id"
  done
done
for c in $(docker container ls -aq); do echo "used $(docker container inspect --format '{{.Image}}' "$c")"; done
for id in $(docker image ls -q --no-trunc | sort -u); do
  docker image inspect --format 'image {{.Id}} {{.Created}} {{.Size}} tags={{range .RepoTags}}{{.}},{{end}} digests={{range .RepoDigests}}{{.}},{{end}}' "$id" || exit 1
done
docker system df --format 'df {{.Type}}|{{.Size}}'
docker system df -v --format '{{range .Volumes}}{{println "volume" .Name .Size}}{{end}}'
exit 0
