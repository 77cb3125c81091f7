// Argv builders for the laptop's docker CLI. Pure: they run nothing.
import { FINGERPRINT_FORMAT } from './image-identity.ts';

export interface BuildSpec {
  platform: string;
  /** Local tag, IMAGE:WS. */
  tag: string;
  dockerfile: string;
  context: string;
}

export const buildxVersion = (): string[] => ['docker', 'buildx', 'version'];

export const engineVersion = (): string[] => [
  'docker',
  'version',
  '--format',
  '{{.Client.Version}} {{.Server.Version}} {{.Server.Os}}/{{.Server.Arch}}',
];

/** "Docker Desktop|[["driver-type","io.containerd.snapshotter.v1"]]": where the engine runs, and its image store. */
export const engineInfo = (): string[] => ['docker', 'info', '--format', '{{.OperatingSystem}}|{{json .DriverStatus}}'];

// A provenance attestation records the build's start time, so with it every build, cached or not, is a
// new image index: nothing would ever be up to date. Robots have no use for attestations offline.
const NO_ATTESTATIONS = '--provenance=false';

function buildx(spec: BuildSpec, tag: string, output: string, metadataFile: string): string[] {
  const target = ['--platform', spec.platform, '--tag', tag, NO_ATTESTATIONS, '--output', output];
  return ['docker', 'buildx', 'build', ...target, '--metadata-file', metadataFile, '--file', spec.dockerfile, spec.context];
}

/** The post's step 1: build into the builder's cache, not into `docker images`. */
export const buildxBuild = (spec: BuildSpec, metadataFile: string): string[] =>
  buildx(spec, spec.tag, 'type=image,push=false', metadataFile);

/** The post's step 4 on the buildx path: same build (cached), pushed straight into the robot's registry. */
export const buildxPush = (spec: BuildSpec, registryRef: string, metadataFile: string): string[] =>
  buildx(spec, registryRef, 'type=registry', metadataFile);

/**
 * Classic engine without buildx: build into the local image store. --iidfile names the exact image
 * built, even if another build retags IMAGE:WS a moment later (two terminals deploying at once).
 */
export function plainBuild(spec: BuildSpec, iidFile: string): string[] {
  return ['docker', 'build', '--platform', spec.platform, '--tag', spec.tag, '--iidfile', iidFile, '--file', spec.dockerfile, spec.context];
}

export const imageId = (ref: string): string[] => ['docker', 'image', 'inspect', '--format', '{{.Id}}', ref];

/** ID, size and RepoDigests on one line ("sha256:… 1234 localhost:5001/app@sha256:…"), the fingerprint on the next. */
export const imageIdentity = (ref: string): string[] => [
  'docker',
  'image',
  'inspect',
  '--format',
  `{{.Id}} {{.Size}}{{range .RepoDigests}} {{.}}{{end}}\n${FINGERPRINT_FORMAT}`,
  ref,
];

export function parseImageIdentity(
  stdout: string,
): { id: string; sizeBytes?: number; repoDigests: string[]; fingerprint?: string } | undefined {
  const [first = '', fingerprint] = stdout.trim().split('\n');
  const [id, size, ...repoDigests] = first.trim().split(/\s+/);
  if (!id?.startsWith('sha256:')) return undefined;
  return { id, sizeBytes: Number(size) || undefined, repoDigests, ...(fingerprint ? { fingerprint } : {}) };
}

export const tagImage = (source: string, target: string): string[] => ['docker', 'image', 'tag', source, target];

export const pushImage = (ref: string): string[] => ['docker', 'image', 'push', ref];

/** Removes only the tag: the image stays under its other names. */
export const untagImage = (ref: string): string[] => ['docker', 'image', 'rm', '--no-prune', ref];

export const saveImage = (ref: string): string[] => ['docker', 'image', 'save', ref];

export const pullImage = (ref: string, platform?: string): string[] => [
  'docker',
  'image',
  'pull',
  ...(platform ? ['--platform', platform] : []),
  ref,
];

/** Temporary push tags left by an interrupted deploy: 127.0.0.1:<port>/IMAGE:* (localhost: before 2026-11). */
export const listPushTags = (image: string): string[] => [
  'docker',
  'image',
  'ls',
  '--format',
  '{{.Repository}}:{{.Tag}}',
  '--filter',
  `reference=127.0.0.1:*/${image}`,
  '--filter',
  `reference=localhost:*/${image}`,
];

/** `docker push` ends with "<tag>: digest: sha256:… size: N". */
export function parsePushDigest(output: string): string | undefined {
  return /digest: (sha256:[0-9a-f]{64})/.exec(output)?.[1];
}

/** The current buildx builder: its name and driver ("Name: …", "Driver: …" lines). */
export const currentBuilder = (): string[] => ['docker', 'buildx', 'inspect'];
