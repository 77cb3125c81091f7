// Argv builders for the robot's docker engine: the scripts in robot-sh/, values as their positional parameters.
import { PREVIOUS_SUFFIX } from '../config/references.ts';
import { digestsOf, type ImageIdentity } from './image-identity.ts';
import { type EnsureOutcome, parseEnsureOutput, REGISTRY_CONTAINER } from './robot-registry.ts';
import { robotScript } from './robot-sh.ts';

export const imageRef = (image: string, ws: string): string => `${image}:${ws}`;
export const previousRef = (image: string, ws: string): string => `${image}:${ws}${PREVIOUS_SUFFIX}`;
export const registryRef = (registryHost: string, image: string, ws: string): string => `${registryHost}/${image}:${ws}`;
export const digestRef = (registryHost: string, image: string, digest: string): string => `${registryHost}/${image}@${digest}`;

export const parseEmulators = (stdout: string): string[] => [...stdout.matchAll(/^emulates (\S+)$/gm)].map((m) => m[1]);

const PROBE_SCRIPT = robotScript('registry-binds.sh', 'list-emulators.sh', 'probe.sh');

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

const PULL_AND_TAG_SCRIPT = robotScript('lock.sh', 'pull-and-tag.sh');

export function pullAndTag(source: string, target: string, previous: string, expectedIds: readonly string[]): string[] {
  return ['sh', '-c', PULL_AND_TAG_SCRIPT, 'pull-and-tag', source, target, previous, expectedIds.join(' ')];
}

export function parsePullAndTag(stdout: string): { deployed?: string; previous?: string } {
  const deployed = /^deployed (\S+)$/m.exec(stdout)?.[1];
  const previous = /^previous (\S+)$/m.exec(stdout)?.[1];
  return { deployed, previous: previous === 'none' ? undefined : previous };
}

const ROLLBACK_SCRIPT = robotScript('lock.sh', 'rollback.sh');

export function rollback(target: string, previous: string): string[] {
  return ['sh', '-c', ROLLBACK_SCRIPT, 'rollback', target, previous];
}

/** Exit codes of robot-sh/rollback.sh: no current image, no previous one. */
export const ROLLBACK_NO_CURRENT = 3;
export const ROLLBACK_NO_PREVIOUS = 4;

export function parseRollback(stdout: string): { current?: string; previous?: string } {
  return { current: /^current (\S+)$/m.exec(stdout)?.[1], previous: /^previous (\S+)$/m.exec(stdout)?.[1] };
}

/** Runs the user's <NAME>_AFTER command (their own shell text, passed as one argument). */
export function afterDeploy(command: string): string[] {
  return ['sh', '-c', command];
}
