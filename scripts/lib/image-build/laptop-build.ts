import { digestsOf } from '../commands/image-identity.ts';
import { type BuildSpec, buildxBuild, imageIdentity, parseImageIdentity, plainBuild } from '../commands/local-docker.ts';
import { readIfPresent, withTempFile } from '../files/temp-file.ts';
import type { CommandResult, Runner } from '../runner/runner.ts';
import type { BuildPath, BuiltImage } from './build-job.ts';

export async function runBuild(local: Runner, path: BuildPath, spec: BuildSpec, onOutput?: (chunk: string) => void): Promise<BuiltImage> {
  return path === 'buildx' ? buildWithBuildx(local, spec, onOutput) : buildWithDocker(local, spec, path === 'buildkit', onOutput);
}

async function buildWithDocker(local: Runner, spec: BuildSpec, buildkit: boolean, onOutput?: (chunk: string) => void): Promise<BuiltImage> {
  return withTempFile('iid', async (iidFile) => {
    const built = await local.run(plainBuild(spec, iidFile), {
      onOutput,
      ...(buildkit ? { env: { DOCKER_BUILDKIT: '1' } } : {}),
    });
    if (built.code !== 0) throw buildFailure(`docker build of ${spec.tag} (${spec.platform})`, built);
    const id = readIfPresent(iidFile).trim();
    if (!id) throw new Error(`docker build of ${spec.tag} wrote no image ID to --iidfile`);
    return { ...(await describeLocalImage(local, id)), id };
  });
}

async function buildWithBuildx(local: Runner, spec: BuildSpec, onOutput?: (chunk: string) => void): Promise<BuiltImage> {
  return withTempFile('metadata.json', async (metadataFile) => {
    const built = await local.run(buildxBuild(spec, metadataFile), { onOutput });
    if (built.code !== 0) throw buildFailure(`docker buildx build of ${spec.tag} (${spec.platform})`, built);
    // The containerd image store reports no config digest: the manifest digest is then the image's ID.
    const config = metadataValue(metadataFile, 'containerimage.config.digest');
    const manifest = metadataValue(metadataFile, 'containerimage.digest');
    const id = config ?? manifest;
    if (!id) throw new Error(`docker buildx build of ${spec.tag} reported no image digest in --metadata-file`);
    // The docker driver also loads the image into `docker images` (then it is pushed from there, see
    // deploy/steps/push.ts), which knows where it was pushed before. A docker-container builder keeps it in its cache.
    const known = await describeLocalImage(local, spec.tag);
    return { ...known, id, digests: [...new Set([...(manifest ? [manifest] : []), ...known.digests])] };
  });
}

/** Local ID, size, fingerprint and the manifest digests earlier pushes recorded (RepoDigests); nothing if the image is not local. */
export async function describeLocalImage(local: Runner, ref: string): Promise<Omit<BuiltImage, 'id'>> {
  const found = parseImageIdentity((await local.run(imageIdentity(ref))).stdout);
  if (!found) return { digests: [] };
  return {
    localId: found.id,
    sizeBytes: found.sizeBytes,
    digests: digestsOf(found.repoDigests),
    ...(found.fingerprint ? { fingerprint: found.fingerprint } : {}),
  };
}

/** buildx's --metadata-file: the config digest is the image ID on the robot, the digest the manifest's. */
export function metadataValue(metadataFile: string, key: string): string | undefined {
  try {
    const value = (JSON.parse(readIfPresent(metadataFile)) as Record<string, unknown>)[key];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

// The docker CLI's advice to install buildx is noise next to the compiler error that failed the build.
const BANNER = /DEPRECATED: The legacy builder|Install the buildx component|docs\.docker\.com\/go\/buildx/;

/** The build's own last words (a RUN step prints to stdout), then docker's verdict (stderr). */
function buildFailure(what: string, result: CommandResult): Error {
  const meaningful = (text: string) => text.split('\n').filter((line) => line.trim() && !BANNER.test(line));
  const tail = [...meaningful(result.stdout).slice(-3), ...meaningful(result.stderr).slice(-2)].map((line) => line.trim());
  return new Error(`${what} failed (exit ${result.code}): ${tail.join(' | ') || '(no output)'}`);
}
