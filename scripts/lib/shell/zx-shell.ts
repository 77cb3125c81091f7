// zx/core: `$` without zx's script globals, which take half of its load time.
import { $, usePowerShell, usePwsh, which } from 'zx/core';
import { quotePosix } from './posix-quote.ts';

export type ShellKind = 'bash' | 'posix' | 'pwsh' | 'powershell';

/**
 * zx assumes bash and otherwise fails with "No quote function is defined".
 * Robotics laptops often have no bash (Windows, minimal images), so pick what exists.
 */
export function configureZxShell(platform: NodeJS.Platform = process.platform): ShellKind {
  if (platform === 'win32') {
    if (which.sync('pwsh', { nothrow: true })) {
      usePwsh();
      return 'pwsh';
    }
    usePowerShell();
    return 'powershell';
  }
  const bash = which.sync('bash', { nothrow: true });
  if (bash) {
    $.shell = bash;
    $.prefix = 'set -euo pipefail;';
    $.postfix = '';
    return 'bash';
  }
  $.shell = which.sync('sh', { nothrow: true }) || '/bin/sh';
  $.prefix = 'set -eu;';
  $.postfix = '';
  $.quote = quotePosix;
  return 'posix';
}

let configured: typeof $ | undefined;

/** `$`, with the shell chosen on first use. */
export function zxShell(): typeof $ {
  if (!configured) {
    configureZxShell();
    configured = $;
  }
  return configured;
}
