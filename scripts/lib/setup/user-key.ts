import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { agentKeys } from '../ssh/agent-probe.ts';
import { agentPath, defaultKeyPaths } from '../ssh/user-ssh-defaults.ts';

export type UserKey = { source: 'file'; path: string; publicKey: string; generated: boolean } | { source: 'agent'; publicKey: string };

export interface GeneratedKey {
  /** OpenSSH private key file content (unencrypted, like `ssh-keygen -N ''`). */
  privateKey: string;
  /** One authorized_keys line: `ssh-ed25519 AAAA… comment`. */
  publicKey: string;
}

/**
 * An ed25519 key in OpenSSH's own file format, made by ssh2 in Node: Windows has no ssh-copy-id and
 * may have no ssh-keygen on PATH, and the result must work with OpenSSH, ssh2 and Windows' agent alike.
 */
export function generateEd25519(comment: string): GeneratedKey {
  const pair = wellFormedEd25519({ comment });
  return { privateKey: pair.private, publicKey: pair.public.trim() };
}

/**
 * ssh2's generateKeyPairSync('ed25519') with its known defect drawn around: it strips a leading zero
 * byte off the public key (mscdex/ssh2#1390), so about 1 key in 256 has a 31-byte public key that
 * neither OpenSSH nor ssh2 reads, in both files. Such a pair is thrown away and another drawn.
 */
export function wellFormedEd25519(options: ssh2.utils.KeyPairOptions): ssh2.utils.KeyPairReturn {
  for (let attempt = 0; attempt < 16; attempt += 1) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', options);
    if (!(ssh2.utils.parseKey(pair.public) instanceof Error)) return pair;
  }
  throw new Error('could not make an ed25519 key that ssh2 can read back; update the ssh2 package');
}

/** SSH_KEY from robots.env, else ~/.ssh/id_ed25519, id_ecdsa, then id_rsa (as deploys try them), else a key held by ssh-agent. */
export async function findUserKey(configured: string | undefined, home = homedir()): Promise<UserKey | undefined> {
  const candidates = configured ? [configured] : defaultKeyPaths(home);
  for (const path of candidates) {
    if (existsSync(path) && existsSync(`${path}.pub`)) {
      return { source: 'file', path, publicKey: readFileSync(`${path}.pub`, 'utf8').trim(), generated: false };
    }
  }
  if (configured) return undefined;
  const agentKey = await firstAgentKey();
  return agentKey ? { source: 'agent', publicKey: agentKey } : undefined;
}

/** Writes a new ed25519 key where ssh looks first; never overwrites an existing file. */
export function generateUserKey(path = join(homedir(), '.ssh', 'id_ed25519'), makeKey = generateEd25519): UserKey {
  if (existsSync(path)) throw new Error(`${path} exists but ${path}.pub does not; recreate the .pub with \`ssh-keygen -y -f ${path}\``);
  if (existsSync(`${path}.pub`)) throw new Error(`${path}.pub exists without its private key ${path}; remove the .pub or restore the key`);
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  const key = makeKey(`${userInfo().username}@${hostname()}`);
  try {
    // O_EXCL: a key that ssh-keygen (or a second setup) wrote since the check above is kept, not clobbered.
    writeFileSync(path, key.privateKey, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new Error(`${path} appeared while setup was making a key; it was left as it is. Run setup again to use it.`);
  }
  writeFileSync(`${path}.pub`, `${key.publicKey}\n`, { mode: 0o644, flag: 'wx' });
  chmodSync(path, 0o600);
  return { source: 'file', path, publicKey: key.publicKey, generated: true };
}

async function firstAgentKey(): Promise<string | undefined> {
  const sock = agentPath();
  const key = sock ? (await agentKeys(sock).catch(() => []))[0] : undefined;
  return key ? `${key.type} ${key.getPublicSSH().toString('base64')} ${key.comment ?? ''}`.trim() : undefined;
}
