import { joinPosix } from '../shell/posix-quote.ts';

/** The common output flags of every script, set once by parseCommandLine. */
export const outputMode = { quiet: false, verbose: false, color: true };

export function setOutputMode(
  flags: { quiet?: boolean; verbose?: boolean; 'no-color'?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): void {
  outputMode.quiet = Boolean(flags.quiet);
  outputMode.verbose = Boolean(flags.verbose);
  // NO_COLOR counts when set at all (listr2's colorette reads it, and --no-color, the same way).
  outputMode.color = !flags['no-color'] && !('NO_COLOR' in env);
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

/** -v: the exact command, as a shell would take it, on stderr before it runs (like `set -x`). */
export function traceCommand(where: string, argv: readonly string[], env: Record<string, string> = {}): void {
  if (!outputMode.verbose) return;
  const assignments = Object.entries(env).map(([name, value]) => `${name}=${joinPosix([value])}`);
  process.stderr.write(`+ [${where}] ${[...assignments, joinPosix(argv)].join(' ')}\n`);
}

/** -v: a decision taken on the way that no command shows (an ssh-agent skipped), like OpenSSH's debug lines. */
export function traceNote(where: string, text: string): void {
  if (outputMode.verbose) process.stderr.write(`# [${where}] ${text}\n`);
}
