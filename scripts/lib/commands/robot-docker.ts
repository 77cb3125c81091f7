// Argv builders for the robot's docker engine. Values are positional parameters of fixed scripts.
import { PREVIOUS_SUFFIX } from '../config/references.ts';
import { digestsOf, FINGERPRINT_FORMAT, type ImageIdentity } from './image-identity.ts';
import { ROBOT_LOCK } from './robot-lock-script.ts';
import { type EnsureOutcome, parseEnsureOutput, REGISTRY_BINDS, REGISTRY_CONTAINER } from './robot-registry.ts';

export const imageRef = (image: string, ws: string): string => `${image}:${ws}`;
export const previousRef = (image: string, ws: string): string => `${image}:${ws}${PREVIOUS_SUFFIX}`;
export const registryRef = (registryHost: string, image: string, ws: string): string => `${registryHost}/${image}:${ws}`;
export const digestRef = (registryHost: string, image: string, digest: string): string => `${registryHost}/${image}@${digest}`;

/**
 * Prints "emulates ARCH" for every qemu binfmt handler the robot's kernel has enabled. Shell builtins
 * only: a host with qemu-user-static has some 30 handlers, and this runs on every deploy.
 */
export const LIST_EMULATORS = `for f in /proc/sys/fs/binfmt_misc/qemu-*; do [ -f "$f" ] && read -r s < "$f" && [ "$s" = enabled ] && echo "emulates \${f##*qemu-}"; done`;

export const parseEmulators = (stdout: string): string[] => [...stdout.matchAll(/^emulates (\S+)$/gm)].map((m) => m[1]);

// One read-only round trip: the engine's platform and version, the image ID and
// RepoDigests behind every ref (absent refs print nothing), whether qemu can run foreign images, and
// whether the registry already runs (then the tunnel can open while the image builds).
const PROBE_SCRIPT = `name=$1
shift
${REGISTRY_BINDS}
docker version --format 'engine {{.Server.Os}}/{{.Server.Arch}} {{.Server.Version}}' || exit 1
for ref do
  docker image inspect --format "image $ref {{.Id}}{{range .RepoDigests}} {{.}}{{end}}
fingerprint $ref ${FINGERPRINT_FORMAT}" "$ref" 2>/dev/null
done
${LIST_EMULATORS}
state=$(docker container inspect --format '{{.State.Status}}' "$name" 2>/dev/null) || state=absent
echo "status=$state"
if [ "$state" = running ]; then registry_binds "$name"; fi
exit 0`;

export function probe(refs: readonly string[]): string[] {
  return ['sh', '-c', PROBE_SCRIPT, 'probe', REGISTRY_CONTAINER, ...refs];
}

export interface ProbeResult {
  platform: string;
  version: string;
  /** Identity of the image behind each ref the robot has. */
  images: Map<string, ImageIdentity>;
  /** qemu binfmt handlers the robot's kernel has enabled, e.g. aarch64, arm. */
  emulates: string[];
  registry: EnsureOutcome;
}

export function parseProbe(stdout: string): ProbeResult {
  const [, platform = 'unknown', version = 'unknown'] = /^engine (\S+) (\S+)$/m.exec(stdout) ?? [];
  const images = new Map(
    [...stdout.matchAll(/^image (\S+) (sha256:[0-9a-f]{64})(.*)$/gm)].map(
      ([, ref, id, rest]) => [ref, { id, digests: digestsOf(rest.trim().split(/\s+/)) }] as [string, ImageIdentity],
    ),
  );
  for (const [, ref, fingerprint] of stdout.matchAll(/^fingerprint (\S+) (.+)$/gm)) {
    const image = images.get(ref);
    if (image) image.fingerprint = fingerprint;
  }
  return { platform, version, images, emulates: parseEmulators(stdout), registry: parseEnsureOutput(stdout) };
}

// Pull by digest (a teammate's push to the same tag cannot swap the content), check the ID,
// keep what IMAGE:WS pointed at as IMAGE:WS.prev, then move IMAGE:WS. Each `docker tag` is
// atomic, so IMAGE:WS is always either the old image or the complete new one. The ID is the
// config digest on the classic image store and the pulled digest on the containerd one: either
// of the space-separated IDs in $4 is right. Content equal to the current image under a new digest
// (a classic engine's re-push) replaces it without becoming the rollback image. One inspect reads both
// images (the pulled one first; IMAGE:WS, when there is one, on the second line).
const PULL_AND_TAG_SCRIPT = `src=$1 dst=$2 prev=$3 want=$4
${ROBOT_LOCK}
docker image pull --quiet "$src" >/dev/null || exit 1
robot_lock -s
both=$(docker image inspect --format "{{.Id}} ${FINGERPRINT_FORMAT}" "$src" "$dst" 2>/dev/null)
got=\${both%%
*} old=
case $both in *"
"*) old=\${both#*
} ;; esac
[ -n "$got" ] || exit 1
got_id=\${got%% *} old_id=\${old%% *}
case " $want " in *" $got_id "*) ;; *) echo "pulled $got_id, expected one of: $want" >&2; exit 5 ;; esac
if [ -n "$old" ] && [ "\${old#* }" != "\${got#* }" ]; then docker image tag "$old_id" "$prev" || exit 1; else old_id=; fi
docker image tag "$got_id" "$dst" || exit 1
echo "deployed $got_id"
echo "previous \${old_id:-none}"`;

export function pullAndTag(source: string, target: string, previous: string, expectedIds: readonly string[]): string[] {
  return ['sh', '-c', PULL_AND_TAG_SCRIPT, 'pull-and-tag', source, target, previous, expectedIds.join(' ')];
}

export function parsePullAndTag(stdout: string): { deployed?: string; previous?: string } {
  const deployed = /^deployed (\S+)$/m.exec(stdout)?.[1];
  const previous = /^previous (\S+)$/m.exec(stdout)?.[1];
  return { deployed, previous: previous === 'none' ? undefined : previous };
}

// Swap IMAGE:WS and IMAGE:WS.prev by ID; IMAGE:WS moves in one `docker tag`.
const ROLLBACK_SCRIPT = `dst=$1 prev=$2
${ROBOT_LOCK}
robot_lock -x
cur=$(docker image inspect --format '{{.Id}}' "$dst" 2>/dev/null) || { echo "no image $dst" >&2; exit 3; }
old=$(docker image inspect --format '{{.Id}}' "$prev" 2>/dev/null) || { echo "no previous image $prev" >&2; exit 4; }
docker image tag "$old" "$dst" || exit 1
docker image tag "$cur" "$prev" || exit 1
echo "current $old"
echo "previous $cur"`;

export function rollback(target: string, previous: string): string[] {
  return ['sh', '-c', ROLLBACK_SCRIPT, 'rollback', target, previous];
}

export const ROLLBACK_NO_CURRENT = 3;
export const ROLLBACK_NO_PREVIOUS = 4;

export function parseRollback(stdout: string): { current?: string; previous?: string } {
  return { current: /^current (\S+)$/m.exec(stdout)?.[1], previous: /^previous (\S+)$/m.exec(stdout)?.[1] };
}

/** Runs the user's <NAME>_AFTER command (their own shell text, passed as one argument). */
export function afterDeploy(command: string): string[] {
  return ['sh', '-c', command];
}
