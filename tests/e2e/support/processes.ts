// Looks at the laptop side after a run: processes and listening ports, asked of the OS directly.
import { execFileSync } from 'node:child_process';

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function listening(port: number): boolean {
  return execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' }).trim() !== '';
}

/** Command lines of running processes that contain `text`. */
export function processesMatching(text: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes(text) && !line.includes('ps -eo'));
}
