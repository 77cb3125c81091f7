// The robots.env contract between the simulator and the deploy tool (read with dotenv's parse).
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { robotEnvKey, SIM_USER } from './names.ts';

export interface RobotsEnvInput {
  image: string;
  context: string;
  workspaces: string[];
  platform: string;
  sshKey: string;
  registryPort: number;
  robots: { name: string; address: string }[];
  extra?: Record<string, string>;
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

function line(key: string, value: string): string {
  if (!KEY.test(key)) throw new Error(`invalid robots.env key "${key}"`);
  if (/[\n\r]/.test(value)) throw new Error(`robots.env value for ${key} spans lines`);
  // dotenv treats an unquoted # after a space as a comment, and trims surrounding quotes.
  const needsQuotes = /\s#|^\s|\s$|^["'`]/.test(value);
  return `${key}=${needsQuotes ? `"${value}"` : value}`;
}

export function formatRobotsEnv(input: RobotsEnvInput): string {
  const lines = [
    '# Simulated robots written by scripts/dev/sim-robot.ts env',
    line('IMAGE', input.image),
    line('CONTEXT', input.context),
    line('WORKSPACES', input.workspaces.join(',')),
    line('PLATFORM', input.platform),
    line('SSH_KEY', input.sshKey),
    line('REGISTRY_PORT', String(input.registryPort)),
    ...input.robots.map((robot) => line(robotEnvKey(robot.name), `${SIM_USER}@${robot.address}`)),
    ...Object.entries(input.extra ?? {}).map(([key, value]) => line(key, value)),
  ];
  return `${lines.join('\n')}\n`;
}

export async function writeRobotsEnvFile(file: string, input: RobotsEnvInput): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, formatRobotsEnv(input));
  await rename(tmp, file);
}
