import { parse } from 'dotenv';
import { configError } from './errors.ts';

export interface EnvEntry {
  key: string;
  value: string;
  line: number;
}

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/;
// robots.env holds a few dozen short lines; anything far larger is a wrong file, not a configuration.
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_VALUE_BYTES = 64 * 1024;

/**
 * dotenv.parse silently drops lines it cannot read; a robots.env typo must instead be
 * reported with its line number, so each line is checked before its value is read.
 * Lines end in LF, CRLF or a lone CR (old Mac editors).
 */
export function readEnvLines(text: string, file: string): EnvEntry[] {
  const size = Buffer.byteLength(text);
  if (size > MAX_FILE_BYTES)
    throw configError(file, undefined, `is ${size} bytes; a robots.env is at most ${MAX_FILE_BYTES} bytes (is this the right file?)`);
  const entries: EnvEntry[] = [];
  const seen = new Map<string, number>();
  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '' || raw.trim().startsWith('#')) return;
    const match = ASSIGNMENT.exec(raw);
    if (!match) throw configError(file, line, `expected KEY=VALUE, got "${raw.trim().slice(0, 60)}"`);
    const key = match[1];
    const value = readValue(raw, match[0].length, key);
    if (value === undefined) throw configError(file, line, `cannot read the value of ${key} (unbalanced quotes?)`);
    if (Buffer.byteLength(value) > MAX_VALUE_BYTES)
      throw configError(file, line, `the value of ${key} is ${Buffer.byteLength(value)} bytes; at most ${MAX_VALUE_BYTES}`);
    const earlier = seen.get(key);
    if (earlier !== undefined) throw configError(file, line, `${key} is already set on line ${earlier}`);
    seen.set(key, line);
    entries.push({ key, value, line });
  });
  return entries;
}

/**
 * A value that is one quoted string (then at most a comment) is read by dotenv. Anything else is kept as
 * written, as the robot's sh reads a command: `#` starts a comment only after whitespace and, where the
 * quotes balance, outside them (so `cd /opt/app#1 && …` keeps its `#1`). A value that opens with a quote
 * it never closes is a typo, refused here rather than by the robot's shell after a deploy; an apostrophe
 * further in (`CONTEXT=Tom's robot`) is just a character.
 */
function readValue(raw: string, valueStart: number, key: string): string | undefined {
  const rest = raw.slice(valueStart).trimStart();
  const quotedEnd = closingQuoteEnd(rest, 0);
  if (quotedEnd !== undefined && /^\s*(?:#.*)?$/.test(rest.slice(quotedEnd))) return parse(raw)[key]?.trim();
  const shell = shellText(rest);
  if (QUOTES.includes(rest[0])) return shell;
  return shell ?? rest.replace(/(^|\s)#.*$/, '').trim();
}

/** The text before a comment outside quotes; undefined when a quote is left open. */
function shellText(text: string): string | undefined {
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === '\\') i += 1;
    else if (QUOTES.includes(text[i])) {
      const end = closingQuoteEnd(text, i);
      if (end === undefined) return undefined;
      i = end - 1;
    } else if (text[i] === '#' && (i === 0 || /\s/.test(text[i - 1]))) return text.slice(0, i).trim();
  }
  return text.trim();
}

const QUOTES = ['"', "'", '`'];

/** Just past the quote that closes the one opening at `start` (backslash escapes only inside "…"), if any. */
function closingQuoteEnd(text: string, start: number): number | undefined {
  const quote = text[start];
  if (!QUOTES.includes(quote)) return undefined;
  for (let i = start + 1; i < text.length; i += 1) {
    if (quote === '"' && text[i] === '\\') i += 1;
    else if (text[i] === quote) return i + 1;
  }
  return undefined;
}
