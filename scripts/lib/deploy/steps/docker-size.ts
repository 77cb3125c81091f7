const UNITS: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };

/** Docker's human sizes ("59.93MB", "0B", "1.2GB") to bytes; unreadable or absent → 0. */
export function parseDockerSize(text: string | undefined): number {
  const match = /^([\d.]+)\s*([kKMGT]?B)$/.exec(text ?? '');
  return match ? Number(match[1]) * (UNITS[match[2]] ?? 1) : 0;
}
