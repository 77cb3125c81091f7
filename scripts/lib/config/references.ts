// Docker's reference grammar (distribution/reference), checked before anything runs so that
// no name a user typed reaches a shell or a registry in a form Docker would reinterpret.
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE_NAME = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const PLATFORM = /^[a-z0-9_]+\/[a-z0-9_]+(?:\/[a-z0-9_.]+)?$/;
const ROBOT_NAME = /^[a-z][a-z0-9_]{0,30}$/;

/** Suffix of the tag that keeps the image a deploy replaced, for rollback. */
export const PREVIOUS_SUFFIX = '.prev';
/** Suffix of the laptop's tag for what the last delta shipped (delta/delta-basis.ts, basisRef). */
export const DELTA_BASIS_SUFFIX = '.delta-basis';
const MAX_WORKSPACE = 128 - DELTA_BASIS_SUFFIX.length;

export function imageNameProblem(name: string): string | undefined {
  if (name.length > 200) return `is ${name.length} characters long; Docker allows at most 200 here`;
  if (!IMAGE_NAME.test(name)) {
    return 'is not a valid Docker image name (lowercase letters, digits and . _ - separators, optional /path; no tag)';
  }
  return undefined;
}

export function workspaceProblem(name: string): string | undefined {
  if (name.length > MAX_WORKSPACE) return `is ${name.length} characters long; at most ${MAX_WORKSPACE} fit in a Docker tag`;
  if (!TAG.test(name)) return 'is not a valid Docker tag (letters, digits, _ . -; must not start with . or -)';
  // WS and WS.prev would be each other's rollback tag; WS.delta-basis is the laptop's own tag.
  const reserved = [PREVIOUS_SUFFIX, DELTA_BASIS_SUFFIX].find((suffix) => name.endsWith(suffix));
  if (reserved) return `ends in ${reserved}, which robot-deploy adds to workspace tags itself (WS${reserved}); rename the workspace`;
  return undefined;
}

export function platformProblem(platform: string): string | undefined {
  return PLATFORM.test(platform) ? undefined : 'is not a platform like linux/amd64, linux/arm64 or linux/arm/v7';
}

export function robotNameProblem(name: string): string | undefined {
  return ROBOT_NAME.test(name) ? undefined : 'is not a robot name (a letter, then up to 30 letters, digits or _)';
}
