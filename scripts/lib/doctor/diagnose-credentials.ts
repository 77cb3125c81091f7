// doctor's rows for the laptop's SSH credentials: which ssh-agent answered (or why it is skipped) and which key files log in.
import { homedir } from 'node:os';
import { type AgentState, probeAgent } from '../ssh/agent-probe.ts';
import { type AuthPlan, planAuth } from '../ssh/auth-plan.ts';
import type { CheckRow } from './table.ts';

export interface CredentialInputs {
  /** SSH_KEY of robots.env: then that key alone is used, and no agent. */
  sshKey?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
}

export async function diagnoseCredentials(inputs: CredentialInputs = {}): Promise<CheckRow[]> {
  const { sshKey, env = process.env, platform = process.platform, home = homedir() } = inputs;
  const agent = sshKey ? undefined : await probeAgent(env, platform);
  const plan = planAuth({ username: 'doctor', keyFile: sshKey, agent, home });
  const keyFiles = plan.tried.filter((what) => what.startsWith('key ')).map((what) => what.slice(4));
  const agentKeys = agent && 'keys' in agent ? agent.keys.length : 0;
  return [...(sshKey ? [] : [agentRow(agent, keyFiles.length > 0, platform)]), keysRow(plan, keyFiles, agentKeys, Boolean(sshKey))];
}

function agentRow(agent: AgentState, haveKeyFiles: boolean, platform: NodeJS.Platform): CheckRow {
  const row = { scope: 'laptop', check: 'ssh-agent' } as const;
  if (!agent) return { ...row, verdict: 'ok', detail: 'none (SSH_AUTH_SOCK is not set): key files are used' };
  if ('keys' in agent) return { ...row, verdict: 'ok', detail: `${agent.path}: ${agent.keys.length} key(s), tried first` };
  return {
    ...row,
    verdict: haveKeyFiles ? 'ok' : 'warn',
    detail: `skipped (${agent.unreachable}); the key files are tried, as OpenSSH does`,
    fix:
      platform === 'win32'
        ? 'to use the agent, start the OpenSSH Authentication Agent service (PowerShell as administrator: Get-Service ssh-agent | Set-Service -StartupType Automatic; Start-Service ssh-agent) and ssh-add your key'
        : 'start ssh-agent and ssh-add your key, or unset a stale SSH_AUTH_SOCK',
  };
}

function keysRow(plan: AuthPlan, keyFiles: string[], agentKeys: number, configured: boolean): CheckRow {
  const skipped = plan.skipped.filter((what) => !what.startsWith('ssh-agent'));
  const found = [...keyFiles, ...skipped.map((what) => `not ${what}`)].join(', ');
  const row = { scope: 'laptop', check: configured ? 'ssh key (SSH_KEY)' : 'ssh keys' } as const;
  if (keyFiles.length > 0 || agentKeys > 0) return { ...row, verdict: 'ok', detail: found || `only the agent's ${agentKeys} key(s)` };
  return {
    ...row,
    verdict: 'fail',
    detail: found || 'no ~/.ssh/id_ed25519, id_ecdsa or id_rsa, and no agent key',
    fix: configured
      ? 'fix SSH_KEY in robots.env, or remove it to use ~/.ssh and the agent'
      : 'npx tsx scripts/setup.ts (makes ~/.ssh/id_ed25519 and registers it on the robots)',
  };
}
