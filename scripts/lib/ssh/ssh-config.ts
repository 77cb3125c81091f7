import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import SSHConfig from 'ssh-config';
import type { SshTarget } from '../config/ssh-target.ts';
import { expandHome } from '../files/home-path.ts';

export interface ResolvedHost {
  host: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  /** ProxyJump hops, first to last, as written (`[user@]host[:port]`); absent for `none`. */
  proxyJump?: string[];
  /** ProxyCommand with %h, %p, %r still in it; absent for `none`. */
  proxyCommand?: string;
}

/** OpenSSH's limit on nested Include files. */
const MAX_INCLUDE_DEPTH = 16;

/**
 * ~/.ssh/config with every Include inlined where it stands (relative paths under ~/.ssh, a glob in the
 * last path element, files in sorted order), then parsed by the ssh-config package.
 */
export function parseSshConfig(text: string, home = homedir(), depth = 0): SSHConfig {
  return SSHConfig.parse(inlineIncludes(text, home, depth));
}

function inlineIncludes(text: string, home: string, depth: number): string {
  return text
    .split(/\r?\n/)
    .map((line) => {
      const include = /^\s*include\s*(?:=\s*|\s)(.+)$/i.exec(line);
      if (!include) return line;
      if (depth >= MAX_INCLUDE_DEPTH) throw new Error(`~/.ssh/config: Include nested more than ${MAX_INCLUDE_DEPTH} deep`);
      return include[1]
        .trim()
        .split(/\s+/)
        .map((pattern) => pattern.replace(/^"(.*)"$/, '$1'))
        .flatMap((pattern) => expandInclude(pattern, home))
        .map((file) => inlineIncludes(readFileSync(file, 'utf8'), home, depth + 1))
        .join('\n');
    })
    .join('\n');
}

function expandInclude(pattern: string, home: string): string[] {
  const path = expandHome(pattern, home);
  const full = isAbsolute(path) ? path : join(home, '.ssh', path);
  const dir = dirname(full);
  const glob = basename(full);
  if (!/[*?]/.test(glob)) return existsSync(full) ? [full] : [];
  const regex = new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => regex.test(name))
        .sort()
        .map((name) => join(dir, name))
    : [];
}

const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** OpenSSH semantics (first value wins, IdentityFile accumulates), Host and Match host/user blocks; Match exec is never run. */
export function resolveFromConfig(config: SSHConfig, target: SshTarget, home = homedir()): ResolvedHost {
  const computed = config.compute(
    { Host: target.host, ...(target.user ? { User: target.user } : {}) },
    { ignoreCase: true, matchExec: false },
  ) as Record<string, string | string[] | undefined>;
  const hostName = first(computed.hostname)?.replace(/%h/g, target.host);
  const portText = first(computed.port);
  const port = target.port ?? (portText ? Number(portText) : undefined);
  const user = target.user ?? first(computed.user);
  const identityFiles = [computed.identityfile ?? []].flat().map((file) => expandPath(file, home, target.host));
  const jump = first(computed.proxyjump);
  const command = first(computed.proxycommand);
  return {
    host: hostName ?? target.host,
    identityFiles,
    ...(port ? { port } : {}),
    ...(user ? { user } : {}),
    ...(jump && jump.toLowerCase() !== 'none' ? { proxyJump: jump.split(',').map((hop) => hop.trim().replace(/^ssh:\/\//, '')) } : {}),
    ...(command && command.toLowerCase() !== 'none' ? { proxyCommand: command } : {}),
  };
}

function expandPath(value: string, home: string, host: string): string {
  const expanded = expandHome(value, home).replace(/%d/g, home).replace(/%h/g, host);
  return isAbsolute(expanded) ? expanded : join(home, '.ssh', expanded);
}

export const sshConfigFile = (): string => process.env.RD_SSH_CONFIG ?? join(homedir(), '.ssh', 'config');

/** Applies ~/.ssh/config (or RD_SSH_CONFIG) to a robot's user@host[:port]. */
export function resolveSshHost(target: SshTarget, file = sshConfigFile()): ResolvedHost {
  if (!existsSync(file))
    return {
      host: target.host,
      identityFiles: [],
      ...(target.user ? { user: target.user } : {}),
      ...(target.port ? { port: target.port } : {}),
    };
  return resolveFromConfig(parseSshConfig(readFileSync(file, 'utf8')), target);
}
