// Reads what `deploy.ts --timings` prints: per-step wall times, peak memory, and the summary.
import type { StepTime } from './contender.ts';

export interface DeployReport {
  steps: StepTime[];
  peakMiB?: number;
  /** Robot name → deployed / up to date / failed. */
  statuses: Map<string, string>;
  /** Sum over robots of the "N MB through the tunnel" figures. */
  tunnelBytes: number;
  /** How each workspace travelled: the push step's "docker push (why)" or "delta, … (phases)". */
  pushNotes?: string;
}

const UNIT: Record<string, number> = { kB: 1e3, MB: 1e6 };

function section(lines: string[], title: string): string[] {
  const start = lines.indexOf(title);
  if (start < 0) return [];
  const end = lines.findIndex((line, i) => i > start && line.trim() === '');
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

export function parseDeployOutput(output: string): DeployReport {
  const lines = output.split('\n').map((line) => line.replace(/\s+$/, ''));
  const steps: StepTime[] = [];
  for (const line of section(lines, 'Timings:')) {
    const m = /^(\S+) {2}(.+?)\s+(\d+(?:\.\d+)?) s$/.exec(line);
    if (m) steps.push({ who: m[1]!, step: m[2]!, ms: Number(m[3]) * 1000 });
  }
  const peak = /^peak memory \(max RSS\) (\d+(?:\.\d+)?) MiB$/m.exec(output);
  const statuses = new Map<string, string>();
  let tunnelBytes = 0;
  for (const line of section(lines, 'Summary:')) {
    const m = /^(\S+)\s+(deployed|up to date|failed)\b/.exec(line);
    if (m) statuses.set(m[1]!, m[2]!);
    const sent = /(\d+(?:\.\d+)?) (kB|MB) through the tunnel/.exec(line);
    if (sent) tunnelBytes += Number(sent[1]) * UNIT[sent[2]!]!;
  }
  const notes = /sent; (.*)$/m.exec(output)?.[1];
  return {
    steps,
    ...(peak ? { peakMiB: Number(peak[1]) } : {}),
    statuses,
    tunnelBytes,
    ...(notes ? { pushNotes: notes } : {}),
  };
}
