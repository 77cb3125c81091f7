# shellcheck shell=sh
# status IMAGE PREV_SUFFIX NAME VOLUME WS...: what each workspace's image is on the robot, in one round
# trip: the image's ID, the digests it was pulled by and its content fingerprint (FINGERPRINT_FORMAT,
# commands/image-identity.ts), since a classic and a containerd store name the same image differently;
# the rollback image; the registry NAME's state, the images' disk use and the registry VOLUME's size.
image=$1 prev=$2 name=$3 volume=$4
shift 4
for ws do
  docker image inspect --format "current $ws {{.Id}} {{.Metadata.LastTagTime}}
digests $ws{{range .RepoDigests}} {{.}}{{end}}
fingerprint $ws {{.Os}}/{{.Architecture}} {{.Created}} {{json .RootFS.Layers}} {{json .Config.Entrypoint}} {{json .Config.Cmd}} {{json .Config.Env}} {{json .Config.Labels}} {{json .Config.WorkingDir}} {{json .Config.User}}" "$image:$ws" 2>/dev/null || echo "current $ws missing"
  docker image inspect --format "previous $ws {{.Id}}" "$image:$ws$prev" 2>/dev/null
done
state=$(docker container inspect --format '{{.State.Status}}' "$name" 2>/dev/null) || state=absent
echo "registry $state"
docker system df --format 'df {{.Type}}|{{.Size}}'
docker system df -v --format '{{range .Volumes}}{{println "volume" .Name .Size}}{{end}}' | grep "^volume $volume " || true
