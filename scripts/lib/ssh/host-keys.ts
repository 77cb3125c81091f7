import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface PinnedKey {
  type: string;
  base64: string;
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

/**
 * Host keys pinned per robot name, in OpenSSH known_hosts syntax (`robot1 ssh-ed25519 AAAA…`),
 * so `ssh -o UserKnownHostsFile=known_hosts -o HostKeyAlias=robot1` agrees with us.
 */
export class KnownHosts {
  constructor(readonly file: string) {}

  pinned(name: string): PinnedKey[] {
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, 'utf8')
      .split(/\r?\n/)
      .map((line) => line.trim().split(/\s+/))
      .filter(([host, type, base64]) => host === name && type && base64)
      .map(([, type, base64]) => ({ type, base64 }));
  }

  pin(name: string, keyBlob: Buffer): void {
    const header = existsSync(this.file) ? '' : '# Robot host keys pinned by robot-deploy (trust on first use). Commit this file.\n';
    appendFileSync(this.file, `${header}${name} ${keyType(keyBlob)} ${keyBlob.toString('base64')}\n`, { mode: 0o644 });
  }

  /** Removes every key pinned for `name`; returns how many lines went. */
  forget(name: string): number {
    if (!existsSync(this.file)) return 0;
    const lines = readFileSync(this.file, 'utf8').split(/\r?\n/);
    const kept = lines.filter((line) => line.trim().split(/\s+/)[0] !== name);
    writeFileSync(this.file, kept.join('\n'));
    return lines.length - kept.length;
  }
}

export type HostKeyVerdict =
  | { kind: 'match'; fingerprint: string }
  | { kind: 'first-contact'; fingerprint: string; type: string }
  | { kind: 'changed'; fingerprint: string; pinnedFingerprints: string[] }
  | { kind: 'declined'; fingerprint: string };

export function judgeHostKey(pins: readonly PinnedKey[], keyBlob: Buffer): HostKeyVerdict {
  const seen = fingerprint(keyBlob);
  if (pins.length === 0) return { kind: 'first-contact', fingerprint: seen, type: keyType(keyBlob) };
  if (pins.some((pin) => pin.base64 === keyBlob.toString('base64'))) return { kind: 'match', fingerprint: seen };
  return { kind: 'changed', fingerprint: seen, pinnedFingerprints: pins.map((pin) => fingerprint(Buffer.from(pin.base64, 'base64'))) };
}
