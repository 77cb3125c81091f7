// Argv builders for the robot's docker engine. Values are positional parameters of fixed scripts.
import { PREVIOUS_SUFFIX } from '../config/references.ts';
import { REGISTRY_CONTAINER, parseEnsureOutput, type EnsureOutcome } from './robot-registry.ts';

export const imageRef = (image: string, ws: string): string => `${image}:${ws}`;
export const previousRef = (image: string, ws: string): string => `${image}:${ws}${PREVIOUS_SUFFIX}`;
export const registryRef = (registryHost: string, image: string, ws: string): string => `${registryHost}/${image}:${ws}`;
export const digestRef = (registryHost: string, image: string, digest: string): string => `${registryHost}/${image}@${digest}`;

// One read-only round trip: the engine's platform, the image ID behind every ref (absent refs print
// nothing), and whether the registry already runs (then the tunnel can open while the image builds).
const PROBE_SCRIPT = `name=$1
shift
docker version --format 'engine {{.Server.Os}}/{{.Server.Arch}}' || exit 1
for ref do
  id=$(docker image inspect --format '{{.Id}}' "$ref" 2>/dev/null) && echo "image $ref $id"
done
state=$(docker container inspect --format '{{.State.Status}}' "$name" 2>/dev/null) || state=absent
echo "status=$state"
if [ "$state" = running ]; then docker container port "$name" 5000/tcp | sed 's/^/bind=/'; fi
exit 0`;

export function probe(refs: readonly string[]): string[] {
  return ['sh', '-c', PROBE_SCRIPT, 'probe', REGISTRY_CONTAINER, ...refs];
}

export interface ProbeResult {
  platform: string;
  ids: Map<string, string>;
  registry: EnsureOutcome;
}

export function parseProbe(stdout: string): ProbeResult {
  const platform = /^engine (\S+)$/m.exec(stdout)?.[1] ?? 'unknown';
  const ids = new Map([...stdout.matchAll(/^image (\S+) (sha256:[0-9a-f]{64})$/gm)].map((m) => [m[1], m[2]] as [string, string]));
  return { platform, ids, registry: parseEnsureOutput(stdout) };
}

// Pull by digest (a teammate's push to the same tag cannot swap the content), check the ID,
// keep what IMAGE:WS pointed at as IMAGE:WS.prev, then move IMAGE:WS. Each `docker tag` is
// atomic, so IMAGE:WS is always either the old image or the complete new one.
const PULL_AND_TAG_SCRIPT = `src=$1 dst=$2 prev=$3 want=$4
docker image pull --quiet "$src" >/dev/null || exit 1
got=$(docker image inspect --format '{{.Id}}' "$src") || exit 1
if [ -n "$want" ] && [ "$got" != "$want" ]; then echo "pulled $got, expected $want" >&2; exit 5; fi
old=$(docker image inspect --format '{{.Id}}' "$dst" 2>/dev/null) || old=
if [ -n "$old" ] && [ "$old" != "$got" ]; then docker image tag "$old" "$prev" || exit 1; fi
docker image tag "$got" "$dst" || exit 1
echo "deployed $got"
echo "previous \${old:-none}"`;

export function pullAndTag(source: string, target: string, previous: string, expectedId: string): string[] {
  return ['sh', '-c', PULL_AND_TAG_SCRIPT, 'pull-and-tag', source, target, previous, expectedId];
}

export function parsePullAndTag(stdout: string): { deployed?: string; previous?: string } {
  const deployed = /^deployed (\S+)$/m.exec(stdout)?.[1];
  const previous = /^previous (\S+)$/m.exec(stdout)?.[1];
  return { deployed, previous: previous === 'none' ? undefined : previous };
}

// Swap IMAGE:WS and IMAGE:WS.prev by ID; IMAGE:WS moves in one `docker tag`.
const ROLLBACK_SCRIPT = `dst=$1 prev=$2
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
