// The robot's shell scripts are plain sh files in robot-sh/, so shellcheck reads them (tests/run.ts lint)
// and an edit needs no TypeScript escaping. They ship in the package and are read on first use. Their
// comment lines (the why, shellcheck's directives) stay on the laptop: a line whose first non-blank
// character is # is dropped, so no multi-line string in them may have one.
import { readFileSync } from 'node:fs';

const texts = new Map<string, string>();

/** One file's text as the robot receives it. */
function scriptText(file: string): string {
  let text = texts.get(file);
  if (text === undefined) {
    const raw = readFileSync(new URL(`robot-sh/${file}`, import.meta.url), 'utf8').replace(/\r\n?/g, '\n');
    text = raw.replace(/^[ \t]*#.*(?:\n|$)/gm, '').replace(/\n+$/, '');
    texts.set(file, text);
  }
  return text;
}

/**
 * The text `sh -c` runs: the shared function files (lock.sh, registry-binds.sh, …) first, the script last.
 * Values never go into it: they are the positional parameters after it.
 */
export const robotScript = (...files: readonly string[]): string => files.map(scriptText).join('\n');
