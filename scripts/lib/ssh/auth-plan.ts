import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import ssh2, { type AuthenticationType } from 'ssh2';
import type { AgentState } from './agent-probe.ts';
import { defaultKeyPaths } from './user-ssh-defaults.ts';

type AuthMethod =
  | { type: 'publickey'; username: string; key: Buffer }
  | { type: 'agent'; username: string; agent: string }
  | { type: 'password'; username: string; password: string };

export interface AuthPlan {
  methods: AuthMethod[];
  /** What will be tried, for error messages ("key ~/.ssh/id_ed25519, ssh-agent"). */
  tried: string[];
  /** Keys found but unusable, with why. */
  skipped: string[];
}

export interface AuthInputs {
  username: string;
  /** SSH_KEY from robots.env: when set, the only key file tried. */
  keyFile?: string;
  /** IdentityFile entries from ~/.ssh/config. */
  configKeys?: string[];
  password?: string;
  /** The user's ssh-agent as probeAgent() found it: offered first when it answered, skipped (and said) when not. */
  agent?: AgentState;
  /** Key registration: only the password, so a key that happens to work does not hide a wrong password. */
  passwordOnly?: boolean;
  home?: string;
}

/** SSH_KEY, else ssh-agent plus ~/.ssh/config's IdentityFile and the usual ~/.ssh keys. */
export function planAuth(inputs: AuthInputs): AuthPlan {
  const { username, agent, home = homedir() } = inputs;
  const plan: AuthPlan = { methods: [], tried: [], skipped: [] };
  if (inputs.passwordOnly) {
    if (inputs.password !== undefined) plan.methods.push({ type: 'password', username, password: inputs.password });
    plan.tried.push('password');
    return plan;
  }
  if (!inputs.keyFile && agent && 'keys' in agent) {
    plan.methods.push({ type: 'agent', username, agent: agent.path });
    plan.tried.push('ssh-agent');
  }
  if (!inputs.keyFile && agent && 'unreachable' in agent) plan.skipped.push(`ssh-agent (${agent.unreachable})`);
  const files = inputs.keyFile ? [inputs.keyFile] : [...(inputs.configKeys ?? []), ...defaultKeyPaths(home)];
  // Each key once, however its path was written (~/.ssh/x from robots.env and the default ~/.ssh/x alike).
  for (const file of [...new Set(files.map((file) => resolve(file)))]) {
    if (!existsSync(file)) {
      if (inputs.keyFile) plan.skipped.push(`${file} (file not found)`);
      continue;
    }
    const key = readFileSync(file);
    const parsed = ssh2.utils.parseKey(key);
    if (parsed instanceof Error)
      plan.skipped.push(
        `${file} (${/encrypt|passphrase/i.test(parsed.message) ? 'has a passphrase: add it to ssh-agent' : parsed.message})`,
      );
    else {
      plan.methods.push({ type: 'publickey', username, key });
      plan.tried.push(`key ${file}`);
    }
  }
  if (inputs.password !== undefined) {
    plan.methods.push({ type: 'password', username, password: inputs.password });
    plan.tried.push('password');
  }
  return plan;
}

/** ssh2 walks this list in order and stops at the first method the server accepts. */
export function authHandler(
  plan: AuthPlan,
): (left: AuthenticationType[] | null, partial: boolean | null, next: (m: AuthMethod | false) => void) => void {
  const queue = [...plan.methods];
  return (_left, _partial, next) => next(queue.shift() ?? false);
}
