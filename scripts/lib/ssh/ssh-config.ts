import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { SshTarget } from '../config/ssh-target.ts';

export interface ResolvedHost {
  host: string;
  user?: string;
  port?: number;
  identityFiles: string[];
}

interface Block {
  patterns: string[];
  options: [string, string][];
}

/** Splits ~/.ssh/config into Host blocks; Match blocks are skipped (their conditions need a live ssh). */
export function parseSshConfig(text: string): Block[] {
  const blocks: Block[] = [{ patterns: ['*'], options: [] }];
  let skipping = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^(\S+?)\s*(?:=|\s)\s*(.+)$/.exec(line);
    if (!match) continue;
    const keyword = match[1].toLowerCase();
    const value = match[2].replace(/^"(.*)"$/, '$1');
    if (keyword === 'host') {
      blocks.push({ patterns: value.split(/\s+/), options: [] });
      skipping = false;
    } else if (keyword === 'match') skipping = true;
    else if (!skipping) blocks[blocks.length - 1].options.push([keyword, value]);
  }
  return blocks;
}

function globMatches(pattern: string, host: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return regex.test(host);
}

function blockMatches(block: Block, host: string): boolean {
  if (block.patterns.some((p) => p.startsWith('!') && globMatches(p.slice(1), host))) return false;
  return block.patterns.some((p) => !p.startsWith('!') && globMatches(p, host));
}

/** OpenSSH semantics: for each option the first value found wins; IdentityFile accumulates. */
export function resolveFromConfig(blocks: Block[], target: SshTarget, home = homedir()): ResolvedHost {
  const first = new Map<string, string>();
  const identityFiles: string[] = [];
  for (const block of blocks.filter((b) => blockMatches(b, target.host))) {
    for (const [key, value] of block.options) {
      if (key === 'identityfile') identityFiles.push(expandPath(value, home, target.host));
      else if (!first.has(key)) first.set(key, value);
    }
  }
  const hostName = first.get('hostname')?.replace(/%h/g, target.host);
  const port = target.port ?? (first.has('port') ? Number(first.get('port')) : undefined);
  const user = target.user ?? first.get('user');
  return { host: hostName ?? target.host, identityFiles, ...(port ? { port } : {}), ...(user ? { user } : {}) };
}

function expandPath(value: string, home: string, host: string): string {
  const expanded = value.replace(/^~(?=$|[\\/])/, home).replace(/%d/g, home).replace(/%h/g, host);
  return isAbsolute(expanded) ? expanded : join(home, '.ssh', expanded);
}

/** Applies ~/.ssh/config (or RD_SSH_CONFIG) to a robot's user@host[:port]. */
export function resolveSshHost(target: SshTarget, file = process.env.RD_SSH_CONFIG ?? join(homedir(), '.ssh', 'config')): ResolvedHost {
  if (!existsSync(file)) return { host: target.host, identityFiles: [], ...(target.user ? { user: target.user } : {}), ...(target.port ? { port: target.port } : {}) };
  return resolveFromConfig(parseSshConfig(readFileSync(file, 'utf8')), target);
}
