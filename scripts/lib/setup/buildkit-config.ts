import { candidatePorts } from '../net/local-port.ts';

/**
 * buildkitd.toml marking the tunnel's possible addresses as plain HTTP (the tunnel is SSH, so the
 * bytes are encrypted anyway). The port can move off the configured one, so every candidate is listed.
 */
export function renderBuildkitConfig(registryPorts: readonly number[]): string {
  const ports = [...new Set(registryPorts.flatMap((port) => [...candidatePorts(port, 'linux'), ...candidatePorts(port, 'darwin')]))].sort(
    (a, b) => a - b,
  );
  const hosts = ports.flatMap((port) => [`127.0.0.1:${port}`, `host.docker.internal:${port}`]);
  const header = [
    '# BuildKit registry settings for robot-deploy (see README, "Set-up").',
    "# The push goes through an SSH tunnel on the laptop's 127.0.0.1, so plain HTTP never leaves the laptop.",
    '# 127.0.0.1: a Linux builder with host networking; host.docker.internal: Docker Desktop (macOS, Windows).',
    `# Written by scripts/setup.ts for registry port(s) ${[...new Set(registryPorts)].join(', ')} and the ports the tunnel may move to.`,
  ];
  return `${[...header, ...hosts.map((host) => `\n[registry."${host}"]\n  http = true`)].join('\n')}\n`;
}
