// Argv builder for registering a public key on a robot (what ssh-copy-id does, without bash: robot-sh/add-authorized-key.sh).
import { robotScript } from './robot-sh.ts';

const ADD_KEY_SCRIPT = robotScript('add-authorized-key.sh');

export function addAuthorizedKey(publicKeyLine: string): string[] {
  const blob = publicKeyLine.trim().split(/\s+/)[1] ?? '';
  return ['sh', '-c', ADD_KEY_SCRIPT, 'add-authorized-key', publicKeyLine.trim(), blob];
}
