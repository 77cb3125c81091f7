// SSH identities: the test client key, per-robot host keys, and the shared `rdsim` account.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { run } from './exec.ts';
import { SIM_USER } from './names.ts';
import { ensureDir } from './state.ts';

/** Creates an ed25519 key pair without a passphrase unless both halves already exist. */
export async function ensureKeyPair(keyPath: string, comment: string): Promise<void> {
  if (existsSync(keyPath) && existsSync(`${keyPath}.pub`)) return;
  ensureDir(dirname(keyPath), 0o700);
  // Generate beside the target and rename, so concurrent ups never see half a key.
  const tmp = `${keyPath}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  rmSync(`${tmp}.pub`, { force: true });
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', tmp]);
  renameSync(`${tmp}.pub`, `${keyPath}.pub`);
  renameSync(tmp, keyPath);
}

export function publicKey(keyPath: string): string {
  return readFileSync(`${keyPath}.pub`, 'utf8').trim();
}

export interface SimUser {
  uid: number;
  gid: number;
  /** The account's home: each robot's sshd bind-mounts the robot's own home over it. */
  home: string;
  password: string;
}

async function userIds(): Promise<Omit<SimUser, 'password'> | undefined> {
  const { stdout, code } = await run('getent', ['passwd', SIM_USER], { allowFail: true });
  if (code !== 0) return undefined;
  const fields = stdout.trim().split(':');
  return { uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] || `/home/${SIM_USER}` };
}

function loadOrCreatePassword(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(18).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/** One password for the one `rdsim` account, whatever state dir a fleet uses: fleets of tests, demo and bench coexist. */
export const SIM_PASSWORD_FILE = '/var/tmp/robot-deploy-sim.rdsim-password';

/**
 * Makes sure the `rdsim` account exists and has its password. sshd refuses a passwordless
 * (locked) account even for key logins when UsePAM is off, so it always needs one.
 */
export async function ensureSimUser(): Promise<SimUser> {
  let ids = await userIds();
  if (!ids) {
    await run('useradd', ['-m', '-s', '/bin/sh', SIM_USER]);
    ids = await userIds();
    if (!ids) throw new Error(`useradd created no ${SIM_USER} account`);
  }
  ensureDir(ids.home);
  const password = loadOrCreatePassword(SIM_PASSWORD_FILE);
  await run('chpasswd', [], { input: `${SIM_USER}:${password}\n` });
  return { ...ids, password };
}

/** A known_hosts line for a robot. */
export function hostKeyLine(address: string, hostKeyPath: string): string {
  const [type, key] = publicKey(hostKeyPath).split(' ');
  return `${address} ${type} ${key}`;
}
