// docker push of the laptop's image to a registry on 127.0.0.1: the robot's, through the tunnel, or the
// one kept in a laptop engine that runs in a VM. The engine's daemon does the pushing.

import { shortId } from '../cli/display-format.ts';
import { buildxPush, parsePushDigest, pushImage, tagImage, untagImage } from '../commands/local-docker.ts';
import { withTempFile } from '../files/temp-file.ts';
import { metadataValue } from '../image-build/laptop-build.ts';
import type { Laptop } from '../runner/laptop.ts';
import { runChecked } from '../runner/runner.ts';

export type PushOptions = { signal: AbortSignal; onOutput: (chunk: string) => void };

/** Tags the exact image built (by ID) for the tunnel's registry, pushes, and drops the tag again. */
export async function pushWithDocker(laptop: Laptop, builtId: string, target: string, options: PushOptions): Promise<string> {
  await runChecked(laptop.local, tagImage(builtId, target), `tagging ${shortId(builtId)} for the push`);
  const removeTag = laptop.teardown.add(`temporary tag ${target}`, async () => void (await laptop.localTeardown.run(untagImage(target))));
  try {
    const pushed = await runChecked(laptop.local, pushImage(target), `docker push ${target}`, options);
    const digest = parsePushDigest(pushed.stdout);
    if (!digest) throw new Error(`docker push ${target} printed no digest`);
    return digest;
  } finally {
    await removeTag();
  }
}

export async function pushWithBuildx(
  laptop: Laptop,
  spec: Parameters<typeof buildxPush>[0],
  target: string,
  options: PushOptions,
): Promise<string> {
  return withTempFile('metadata.json', async (metadataFile) => {
    await runChecked(
      laptop.local,
      buildxPush(spec, target, metadataFile),
      `docker buildx build --output type=registry to ${target}`,
      options,
    );
    const digest = metadataValue(metadataFile, 'containerimage.digest');
    if (!digest) throw new Error(`buildx pushed ${target} but reported no digest`);
    return digest;
  });
}
