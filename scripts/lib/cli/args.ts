import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../config/errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  'env-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/** node:util parseArgs, with its errors turned into exit-code-2 usage errors that show the help. */
export function parseCommandLine<T extends Options>(argv: string[], options: T, help: string) {
  try {
    const parsed = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
    if ((parsed.values as { help?: boolean }).help) {
      process.stdout.write(`${help.trim()}\n`);
      process.exit(0);
    }
    return parsed;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${help.trim()}`);
  }
}
