const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one argument for any POSIX shell (sh, dash, bash, busybox ash). */
export function quotePosix(arg: string): string {
  if (arg === '') return "''";
  if (SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Turns an argv array into one command line that a remote login shell runs verbatim. */
export function joinPosix(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('joinPosix: empty command');
  return argv.map(quotePosix).join(' ');
}
