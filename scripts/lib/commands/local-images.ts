// Argv builders for the laptop's docker CLI that the delta transfer uses to find and read images.

/** Every image ID in the laptop's store, untagged ones included (an earlier build loses its tag). */
export const listImageIds = (): string[] => ['docker', 'image', 'ls', '--all', '--quiet', '--no-trunc'];

/** One line per image: "ID [diffIDs as JSON]". */
export const inspectLayers = (ids: readonly string[]): string[] => [
  'docker',
  'image',
  'inspect',
  '--format',
  '{{.Id}} {{json .RootFS.Layers}}',
  ...ids,
];

/** The image whose layers are exactly `diffIds`, from inspectLayers' output. */
export function imageWithLayers(stdout: string, diffIds: readonly string[]): string | undefined {
  const wanted = JSON.stringify(diffIds);
  for (const line of stdout.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0 && line.slice(space + 1).trim() === wanted) return line.slice(0, space);
  }
  return undefined;
}

export const saveImages = (ids: readonly string[]): string[] => ['docker', 'image', 'save', ...ids];
