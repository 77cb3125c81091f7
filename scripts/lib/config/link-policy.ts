/**
 * How patient the laptop is with a robot's link, after OpenSSH's ServerAliveInterval and
 * ServerAliveCountMax: the link is declared lost only after interval × countMax of total silence.
 */
export interface LinkPolicy {
  aliveIntervalSeconds: number;
  aliveCountMax: number;
  /** A robot command, or a transfer, that makes no progress for this long fails. */
  robotTimeoutSeconds: number;
}

export const DEFAULT_LINK: LinkPolicy = { aliveIntervalSeconds: 5, aliveCountMax: 3, robotTimeoutSeconds: 60 };

export const silenceLimitMs = (policy: LinkPolicy): number => policy.aliveIntervalSeconds * policy.aliveCountMax * 1000;
