# shellcheck shell=sh
# pull-and-tag SOURCE TARGET PREVIOUS "ID...": pull by digest (a teammate's push to the same tag cannot
# swap the content), check the ID, keep what TARGET (IMAGE:WS) pointed at as PREVIOUS (IMAGE:WS.prev),
# then move TARGET. Each `docker tag` is atomic, so IMAGE:WS is always either the old image or the
# complete new one. The ID is the config digest on the classic image store and the pulled digest on the
# containerd one: either of the space-separated IDs in $4 is right. Content equal to the current image
# under a new digest (a classic engine's re-push) replaces it without becoming the rollback image: the
# content is compared by FINGERPRINT_FORMAT (commands/image-identity.ts). One inspect reads both images
# (the pulled one first; IMAGE:WS, when there is one, on the second line). Exit 5: the pulled ID is none
# of the expected ones (the message says which). Needs lock.sh.
src=$1 dst=$2 prev=$3 want=$4
docker image pull --quiet "$src" >/dev/null || exit 1
robot_lock -s
both=$(docker image inspect --format "{{.Id}} {{.Os}}/{{.Architecture}} {{.Created}} {{json .RootFS.Layers}} {{json .Config.Entrypoint}} {{json .Config.Cmd}} {{json .Config.Env}} {{json .Config.Labels}} {{json .Config.WorkingDir}} {{json .Config.User}}" "$src" "$dst" 2>/dev/null)
got=${both%%
*} old=
case $both in *"
"*) old=${both#*
} ;; esac
[ -n "$got" ] || exit 1
got_id=${got%% *} old_id=${old%% *}
case " $want " in *" $got_id "*) ;; *) echo "pulled $got_id, expected one of: $want" >&2; exit 5 ;; esac
if [ -n "$old" ] && [ "${old#* }" != "${got#* }" ]; then docker image tag "$old_id" "$prev" || exit 1; else old_id=; fi
docker image tag "$got_id" "$dst" || exit 1
echo "deployed $got_id"
echo "previous ${old_id:-none}"
