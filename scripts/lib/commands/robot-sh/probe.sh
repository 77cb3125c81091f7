# shellcheck shell=sh
# probe NAME REF...: one read-only round trip before a deploy: the engine's platform and version, the
# image ID, RepoDigests and content fingerprint behind every ref (absent refs print nothing), whether
# qemu can run foreign images, and whether the registry NAME already runs (then the tunnel can open
# while the image builds). The fingerprint format is FINGERPRINT_FORMAT (commands/image-identity.ts).
# Needs registry-binds.sh and list-emulators.sh.
name=$1
shift
docker version --format 'engine {{.Server.Os}}/{{.Server.Arch}} {{.Server.Version}}' || exit 1
for ref do
  docker image inspect --format "image $ref {{.Id}}{{range .RepoDigests}} {{.}}{{end}}
fingerprint $ref {{.Os}}/{{.Architecture}} {{.Created}} {{json .RootFS.Layers}} {{json .Config.Entrypoint}} {{json .Config.Cmd}} {{json .Config.Env}} {{json .Config.Labels}} {{json .Config.WorkingDir}} {{json .Config.User}}" "$ref" 2>/dev/null
done
list_emulators
state=$(docker container inspect --format '{{.State.Status}}' "$name" 2>/dev/null) || state=absent
echo "status=$state"
if [ "$state" = running ]; then registry_binds "$name"; fi
exit 0
