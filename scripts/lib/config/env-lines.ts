import { parse } from 'dotenv';
import { configError } from './errors.ts';

export interface EnvEntry {
  key: string;
  value: string;
  line: number;
}

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/;

/**
 * dotenv.parse silently drops lines it cannot read; a robots.env typo must instead be
 * reported with its line number, so each line is checked before dotenv reads its value.
 */
export function readEnvLines(text: string, file: string): EnvEntry[] {
  const entries: EnvEntry[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '' || raw.trim().startsWith('#')) return;
    const match = ASSIGNMENT.exec(raw);
    if (!match) throw configError(file, line, `expected KEY=VALUE, got "${raw.trim().slice(0, 60)}"`);
    const key = match[1];
    const value = parse(raw)[key];
    if (value === undefined) throw configError(file, line, `cannot read the value of ${key} (unbalanced quotes?)`);
    const earlier = seen.get(key);
    if (earlier !== undefined) throw configError(file, line, `${key} is already set on line ${earlier}`);
    seen.set(key, line);
    entries.push({ key, value: value.trim(), line });
  });
  return entries;
}
