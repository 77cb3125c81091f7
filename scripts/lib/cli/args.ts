import { readFileSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from '../config/errors.ts';
import { setOutputMode } from './output.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  'env-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  verbose: { type: 'boolean', short: 'v' },
  'no-color': { type: 'boolean' },
} as const satisfies Options;

export const COMMON_HELP = `
Common options: --env-file FILE (default: $ROBOTS_ENV, else the nearest robots.env in this directory or
a parent), -q/--quiet (errors only), -v/--verbose (each command on stderr as it runs), --no-color
(also NO_COLOR=1), --version, -h/--help.`;

/** --help and --version: the answer is the whole run; runMain prints it and exits 0. */
export class CommandLineAnswer extends Error {
  constructor(readonly text: string) {
    super(text);
    this.name = 'CommandLineAnswer';
  }
}

/** node:util parseArgs, with its errors turned into exit-code-2 usage errors that show the help. */
export function parseCommandLine<T extends Options>(argv: string[], options: T, help: string) {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof COMMON_OPTIONS & T; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${help.trim()}\n${COMMON_HELP}`);
  }
  const common = parsed.values as {
    help?: boolean;
    version?: boolean;
    quiet?: boolean;
    verbose?: boolean;
    'no-color'?: boolean;
  };
  if (common.help) throw new CommandLineAnswer(`${help.trim()}\n${COMMON_HELP}\n`);
  if (common.version) throw new CommandLineAnswer(`${packageVersion()}\n`);
  if (common.quiet && common.verbose) throw new UsageError('-q/--quiet and -v/--verbose contradict each other: give one');
  setOutputMode(common);
  return parsed;
}

/** The version in robot-deploy's own package.json (three levels above scripts/lib/cli). */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}
