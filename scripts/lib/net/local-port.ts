/** macOS AirPlay Receiver listens on 5000 and 7000: a tunnel there would talk to AirPlay. */
export const DARWIN_RESERVED = [5000, 7000];
const SEARCH_WIDTH = 10;

/**
 * The configured port when free, else the next free one above it (a small range, so a buildx
 * builder's buildkitd.toml can list them all), never an AirPlay port on macOS. get-port falls back
 * to a random free port when the whole range is taken.
 */
export async function chooseLocalPort(
  preferred: number,
  platform: NodeJS.Platform = process.platform,
  exclude: readonly number[] = [],
): Promise<number> {
  const reserved = platform === 'darwin' ? DARWIN_RESERVED : [];
  const upper = Math.min(preferred + SEARCH_WIDTH, 65535);
  const { default: getPort, portNumbers } = await import('get-port');
  return getPort({
    host: '127.0.0.1',
    port: [preferred, ...(upper > preferred ? portNumbers(preferred + 1, upper) : [])],
    exclude: [...reserved, ...exclude],
  });
}

/** The ports chooseLocalPort prefers for a configured port (documented in buildkitd.default.toml). */
export function candidatePorts(preferred: number, platform: NodeJS.Platform): number[] {
  const reserved = platform === 'darwin' ? DARWIN_RESERVED : [];
  return Array.from({ length: SEARCH_WIDTH + 1 }, (_, i) => preferred + i).filter((p) => p <= 65535 && !reserved.includes(p));
}
