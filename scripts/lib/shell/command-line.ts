// A command as one line for people to read and copy (-v, --dry-run). robot-deploy itself runs laptop commands
// with no shell; the line is written for the user's own: PowerShell on Windows, a POSIX shell elsewhere.
import { joinPosix, quotePosix } from './posix-quote.ts';

// Barewords PowerShell passes to a program unchanged: no $ @ ( ) { } , ; & | ' " ` < > # %, and no leading digit (1kb is a number).
const POWERSHELL_SAFE = /^[A-Za-z_./-][A-Za-z0-9_./:+-]*$/;

/** One argument for PowerShell: a single-quoted string, in which each kind of single quote is doubled. */
export function quotePowerShell(arg: string): string {
  if (POWERSHELL_SAFE.test(arg)) return arg;
  return `'${arg.replace(/['\u2018\u2019\u201a\u201b]/g, '$&$&')}'`;
}

/** A laptop command with the variables it gets: `NAME=value cmd …`, or on Windows `$env:NAME='value'; cmd …`. */
export function laptopCommandLine(argv: readonly string[], env: Record<string, string> = {}, platform = process.platform): string {
  if (platform !== 'win32')
    return [...Object.entries(env).map(([name, value]) => `${name}=${quotePosix(value)}`), joinPosix(argv)].join(' ');
  const [program = '', ...args] = argv;
  const head = quotePowerShell(program) === program ? program : `& ${quotePowerShell(program)}`;
  return [
    ...Object.entries(env).map(([name, value]) => `$env:${name}=${quotePowerShell(value)};`),
    head,
    ...args.map(quotePowerShell),
  ].join(' ');
}
