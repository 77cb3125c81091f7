import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A file in a fresh temporary directory, removed afterwards (docker writes it; a dry run does not). */
export async function withTempFile<T>(name: string, work: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'robot-deploy-'));
  try {
    return await work(join(dir, name));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function readIfPresent(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}
