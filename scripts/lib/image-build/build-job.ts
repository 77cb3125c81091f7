// A build every robot of a platform waits on, and what it makes.
import type { ImageIdentity } from '../commands/image-identity.ts';
import type { BuildSpec } from '../commands/local-docker.ts';
import type { Deferred } from '../runner/deferred.ts';

/** buildx plugin; `DOCKER_BUILDKIT=1 docker build` (CLI < 23); `docker build`'s legacy builder (CLI 23+ without buildx). */
export type BuildPath = 'buildx' | 'buildkit' | 'legacy';

/** The laptop's image: its ID (config digest, or manifest digest on the containerd store) and the digests it was pushed as. */
export interface BuiltImage extends ImageIdentity {
  sizeBytes?: number;
  /** The image's ID in the laptop's `docker images`, when the build put it there (not a docker-container builder). */
  localId?: string;
}

export interface BuildJob {
  platform: string;
  ws: string;
  spec: BuildSpec;
  result: Deferred<BuiltImage>;
  /** Route "staged": the manifest digest of the one push into the laptop engine's registry, shared by every robot. */
  staged?: Promise<string>;
}

/** The key of the shared build for one (platform, workspace). */
export const buildKey = (platform: string, ws: string): string => `${platform} ${ws}`;
