import { laptopCommandLine } from '../shell/command-line.ts';
import { joinPosix } from '../shell/posix-quote.ts';

/** The common output flags of every script, set once by parseCommandLine. */
export const outputMode = { quiet: false, verbose: false, color: true };

export function setOutputMode(
  flags: { quiet?: boolean; verbose?: boolean; 'no-color'?: boolean },
  env: NodeJS.ProcessEnv = process.env,
  terminal = Boolean(process.stdout.isTTY),
): void {
  outputMode.quiet = Boolean(flags.quiet);
  outputMode.verbose = Boolean(flags.verbose);
  // NO_COLOR counts when set at all (listr2's colorette reads it, and --no-color, the same way). Output to a file or
  // pipe gets none unless FORCE_COLOR asks: colorette would colour it on Windows and in some CIs.
  outputMode.color = !flags['no-color'] && !('NO_COLOR' in env) && (terminal || 'FORCE_COLOR' in env);
  if (!outputMode.color) env.NO_COLOR = '1';
}

/** Information for the user on stdout; -q silences it. */
export function say(text: string): void {
  if (!outputMode.quiet) process.stdout.write(`${text}\n`);
}

/** What was explicitly asked for (--json, a dry-run listing): printed even with -q. */
export function answer(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Failures and warnings: always on stderr, never silenced. */
export function complain(text: string): void {
  process.stderr.write(`${text}\n`);
}

/**
 * -v: the exact command on stderr before it runs (like `set -x`): a laptop command as the user's shell takes it
 * (PowerShell on Windows), a robot command as the robot's sh receives it.
 */
export function traceCommand(where: string, argv: readonly string[], env: Record<string, string> = {}): void {
  if (!outputMode.verbose) return;
  process.stderr.write(`+ [${where}] ${where === 'laptop' ? laptopCommandLine(argv, env) : joinPosix(argv)}\n`);
}

/** -v: a decision taken on the way that no command shows (an ssh-agent skipped), like OpenSSH's debug lines. */
export function traceNote(where: string, text: string): void {
  if (outputMode.verbose) process.stderr.write(`# [${where}] ${text}\n`);
}
