// Where robot-deploy's own upload takes a layer's bytes from: a `docker save` of the laptop's image
// (saved-layers.ts), or the registry kept in a laptop engine that runs in a VM (staging-source.ts).
import type { SavedLayer } from '../delta/image-save.ts';
import type { Descriptor } from '../net/manifest.ts';
import type { RegistryClient } from '../net/registry-client.ts';

export interface ImageConfig {
  descriptor: Descriptor;
  bytes: Buffer;
}

export interface LayerSource {
  /** The new image's config. */
  config: ImageConfig;
  /** For the push line: how `sendWhole` sent `count` layers of `bytes` in all. */
  describe(count: number, bytes: number): string;
  /** The layer as an uncompressed tar on disk (a new layer, or a delta's basis); undefined when this source cannot read it. */
  tar(diffId: string): Promise<SavedLayer | undefined>;
  /** The layer whole into the robot's registry; resolves with its descriptor there. */
  sendWhole(diffId: string, robot: RegistryClient, signal: AbortSignal): Promise<Descriptor>;
}
