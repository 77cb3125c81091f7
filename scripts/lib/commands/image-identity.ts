// What "the same image" means on every image store. The classic store names an image by its config
// digest; the containerd store by the manifest (or index) digest it was built or pulled as. Both are
// content addresses: an image is the same when the robot's ID is one the laptop knows it by, or when
// the robot pulled it by a manifest digest the laptop pushed it as (RepoDigests on either side).
// A classic engine re-compresses layers on every push, so the same image reaches a containerd-store
// robot under a new manifest digest each time: then the content fingerprint below decides.

/**
 * `docker image inspect` format of what makes an image: its layers (uncompressed digests), creation
 * time and run settings, all read from the image config, so equal on every store and engine version.
 * Plain text without quotes or `$`: robot scripts embed it in double quotes. Only fields every engine
 * always sends: CLI 28 fails the whole format on one the engine left out (ExposedPorts, from 20.10).
 */
export const FINGERPRINT_FORMAT =
  '{{.Os}}/{{.Architecture}} {{.Created}} {{json .RootFS.Layers}} {{json .Config.Entrypoint}} {{json .Config.Cmd}} ' +
  '{{json .Config.Env}} {{json .Config.Labels}} {{json .Config.WorkingDir}} {{json .Config.User}}';

export interface ImageIdentity {
  /** `docker image inspect .Id`: the config digest (classic store) or the manifest digest (containerd store). */
  id: string;
  /** Manifest or index digests the image is known by: where it was pushed to, or pulled from. */
  digests: string[];
  /** FINGERPRINT_FORMAT's output, when the image could be inspected. */
  fingerprint?: string;
}

export function sameImage(laptop: ImageIdentity, robot: ImageIdentity): boolean {
  const known = new Set([laptop.id, ...laptop.digests]);
  if (known.has(robot.id) || robot.digests.some((digest) => known.has(digest))) return true;
  return Boolean(laptop.fingerprint) && laptop.fingerprint === robot.fingerprint;
}

/** The digests of RepoDigests entries ("127.0.0.1:5000/app@sha256:…"), each once. */
export function digestsOf(repoDigests: readonly string[]): string[] {
  return [...new Set(repoDigests.map((entry) => /@(sha256:[0-9a-f]{64})$/.exec(entry)?.[1]).filter((d): d is string => Boolean(d)))];
}
