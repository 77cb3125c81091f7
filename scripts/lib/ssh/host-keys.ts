import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { renameRetrying } from '../files/rename-retrying.ts';
import { withFileLock } from './file-lock.ts';

export interface PinnedKey {
  type: string;
  base64: string;
  /** An `@revoked` line: this key is refused whatever else is pinned. */
  revoked?: boolean;
}

/** SHA256 fingerprint in OpenSSH's form: SHA256:<base64 without padding>. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The algorithm name that starts an SSH public key blob (uint32 length + name). */
export function keyType(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const length = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + length).toString('latin1');
}

/** Could not read or write known_hosts: the message names the file and the cause. */
export class KnownHostsError extends Error {}

/**
 * Host keys pinned per robot name, in OpenSSH known_hosts syntax (`robot1 ssh-ed25519 AAAA…`),
 * so `ssh -o UserKnownHostsFile=known_hosts -o HostKeyAlias=robot1` agrees with us. Lines written by
 * OpenSSH or by hand are read as OpenSSH reads them (see hostMatches); writes hold a lock file, and a
 * rewrite replaces the file in one rename, so a pin made by a deploy at the same moment survives.
 */
export class KnownHosts {
  constructor(readonly file: string) {}

  pinned(name: string): PinnedKey[] {
    return this.lines().flatMap((line) => {
      const entry = parseLine(line);
      return entry && entry.marker !== '@cert-authority' && hostMatches(entry.hosts, name)
        ? [{ type: entry.type, base64: entry.base64, ...(entry.marker === '@revoked' ? { revoked: true } : {}) }]
        : [];
    });
  }

  pin(name: string, keyBlob: Buffer): void {
    this.locked('pin a host key in', () => {
      // Read again under the lock: another connection (a fleet, doctor's parallel checks) may have pinned it meanwhile.
      if (this.pinned(name).some((pin) => !pin.revoked && pin.base64 === keyBlob.toString('base64'))) return;
      const exists = existsSync(this.file) && statSync(this.file).size > 0;
      const header = exists ? '' : '# Robot host keys pinned by robot-deploy (trust on first use). Commit this file.\n';
      // A file edited by hand may lack its final newline; the pin must not be glued onto that line.
      const separator = exists && !readFileSync(this.file, 'utf8').endsWith('\n') ? '\n' : '';
      appendFileSync(this.file, `${separator}${header}${name} ${keyType(keyBlob)} ${keyBlob.toString('base64')}\n`, {
        mode: 0o644,
      });
    });
  }

  /** Removes every key pinned for `name` (markers and comments stay); returns how many lines went. */
  forget(name: string): number {
    return this.locked('forget a host key in', () => {
      const lines = this.lines();
      const kept = lines.filter((line) => {
        const entry = parseLine(line);
        return !entry || entry.marker !== undefined || !hostMatches(entry.hosts, name);
      });
      if (kept.length === lines.length) return 0;
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, kept.map((line) => `${line}\n`).join(''), { mode: 0o644 });
      renameRetrying(tmp, this.file);
      return lines.length - kept.length;
    });
  }

  private lines(): string[] {
    if (!existsSync(this.file)) return [];
    try {
      return readFileSync(this.file, 'utf8')
        .split(/\r?\n/)
        .filter((line, index, all) => line !== '' || index < all.length - 1);
    } catch (error) {
      throw new KnownHostsError(`cannot read ${this.file}: ${(error as Error).message}`);
    }
  }

  private locked<T>(what: string, work: () => T): T {
    try {
      return withFileLock(`${this.file}.lock`, work);
    } catch (error) {
      throw new KnownHostsError(
        `cannot ${what} ${this.file}: ${(error as Error).message}. Fix the file's permissions (and its directory's), or move robots.env somewhere writable.`,
      );
    }
  }
}

interface KnownHostsLine {
  marker?: string;
  hosts: string;
  type: string;
  base64: string;
}

function parseLine(line: string): KnownHostsLine | undefined {
  const fields = line.trim().split(/\s+/);
  if (!fields[0] || fields[0].startsWith('#')) return undefined;
  const marker = fields[0].startsWith('@') ? fields.shift() : undefined;
  const [hosts, type, base64] = fields;
  return hosts && type && base64 ? { ...(marker ? { marker } : {}), hosts, type, base64 } : undefined;
}

/**
 * OpenSSH's host field: a comma list of patterns (`*` and `?` wildcards, `!` negates), `[host]:port`,
 * or one hashed name `|1|salt|hmac-sha1(salt, name)`. A robot name (HostKeyAlias) matches on any port;
 * a `[host]:port` name (a jump host off port 22) only a `[pattern]:port` of that port, as in OpenSSH.
 */
export function hostMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  const withPort = /^\[.*\]:\d+$/.test(name);
  let matched = false;
  for (const raw of field.split(',')) {
    const negated = raw.startsWith('!');
    const written = negated ? raw.slice(1) : raw;
    if (!globMatches(withPort ? written : written.replace(/^\[(.*)\]:\d+$/, '$1'), name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function globMatches(pattern: string, name: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'i').test(name);
}

export type HostKeyVerdict =
  | { kind: 'match'; fingerprint: string }
  | { kind: 'first-contact'; fingerprint: string; type: string }
  | { kind: 'changed'; fingerprint: string; pinnedFingerprints: string[] }
  | { kind: 'revoked'; fingerprint: string };

export function judgeHostKey(pins: readonly PinnedKey[], keyBlob: Buffer): HostKeyVerdict {
  const seen = fingerprint(keyBlob);
  const presented = keyBlob.toString('base64');
  if (pins.some((pin) => pin.revoked && pin.base64 === presented)) return { kind: 'revoked', fingerprint: seen };
  const trusted = pins.filter((pin) => !pin.revoked);
  if (trusted.length === 0) return { kind: 'first-contact', fingerprint: seen, type: keyType(keyBlob) };
  if (trusted.some((pin) => pin.base64 === presented)) return { kind: 'match', fingerprint: seen };
  return {
    kind: 'changed',
    fingerprint: seen,
    pinnedFingerprints: trusted.map((pin) => fingerprint(Buffer.from(pin.base64, 'base64'))),
  };
}
