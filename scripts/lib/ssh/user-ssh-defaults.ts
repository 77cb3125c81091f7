// Where a user's own SSH credentials are, as OpenSSH looks for them; deploys (auth-plan) and setup (user-key) share it.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** OpenSSH's default identities that ssh2 can use (no DSA, no security-key types), most preferred first. */
export const DEFAULT_KEY_NAMES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/** Windows' built-in OpenSSH agent listens on this named pipe, without SSH_AUTH_SOCK. */
export const WINDOWS_AGENT_PIPE = '\\\\.\\pipe\\openssh-ssh-agent';

export function defaultKeyPaths(home = homedir()): string[] {
  return DEFAULT_KEY_NAMES.map((name) => join(home, '.ssh', name));
}

/** The ssh-agent socket (or pipe) to ask, if there is one. */
export function agentPath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  if (env.SSH_AUTH_SOCK) return env.SSH_AUTH_SOCK;
  return platform === 'win32' ? WINDOWS_AGENT_PIPE : undefined;
}
