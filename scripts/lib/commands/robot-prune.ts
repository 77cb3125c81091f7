// Argv builders for prune.ts: an inventory of the robot's images, and their removal.

// One round trip: images to keep (current and rollback per workspace), images containers use,
// and every image with its creation time, tags and registry digests.
const INVENTORY_SCRIPT = `image=$1 prev=$2
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
exit 0`;

export function pruneInventory(image: string, previousSuffix: string, workspaces: readonly string[]): string[] {
  return ['sh', '-c', INVENTORY_SCRIPT, 'prune-inventory', image, previousSuffix, ...workspaces];
}

export interface EngineImage {
  id: string;
  created: string;
  size: number;
  tags: string[];
  digests: string[];
}

export interface Inventory {
  keep: Set<string>;
  used: Set<string>;
  images: EngineImage[];
  imagesSize?: string;
  volumes: Map<string, string>;
}

export function parseInventory(stdout: string): Inventory {
  const ids = (kind: string) => new Set([...stdout.matchAll(new RegExp(`^${kind} (sha256:[0-9a-f]{64})$`, 'gm'))].map((m) => m[1]));
  const images = [...stdout.matchAll(/^image (\S+) (\S+) (\d+) tags=(\S*) digests=(\S*)$/gm)].map(
    ([, id, created, size, tags, digests]) => ({
      id,
      created,
      size: Number(size),
      tags: tags.split(',').filter(Boolean),
      digests: digests.split(',').filter(Boolean),
    }),
  );
  return {
    keep: ids('keep'),
    used: ids('used'),
    images,
    imagesSize: /^df Images\|(\S+)$/m.exec(stdout)?.[1],
    volumes: new Map([...stdout.matchAll(/^volume (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]] as [string, string])),
  };
}

// Only images still untagged: a rollback since the inventory may have given one a tag again (prune
// holds the robot's lock, so no deploy runs meanwhile). `docker image rm` without --force refuses an
// image a container uses.
const REMOVE_SCRIPT = `for id do
  [ "$(docker image inspect --format '{{len .RepoTags}}' "$id" 2>/dev/null)" = 0 ] && set -- "$@" "$id"
  shift
done
[ $# -eq 0 ] || docker image rm "$@"`;

export function removeImages(ids: readonly string[]): string[] {
  return ['sh', '-c', REMOVE_SCRIPT, 'remove-images', ...ids];
}
