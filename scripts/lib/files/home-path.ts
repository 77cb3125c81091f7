import { homedir } from 'node:os';
import path, { type PlatformPath } from 'node:path';

/**
 * `~` and `~/…` (on Windows also `~\…`) under the home directory, with the OS's own separators throughout:
 * `C:\Users\me/.ssh/id_ed25519` would not equal `C:\Users\me\.ssh\id_ed25519`, so one key would be tried twice.
 */
export function expandHome(value: string, home = homedir(), paths: PlatformPath = path): string {
  const tilde = paths.sep === '\\' ? /^~(?=$|[\\/])/ : /^~(?=$|\/)/;
  return tilde.test(value) ? paths.join(home, value.slice(1)) : value;
}
