#!/usr/bin/env node
// The package's bin: `robot-deploy <command> [args]` runs scripts/<command>.ts through tsx's loader,
// so an install without dev dependencies (a git URL or tarball in another project) can run it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const COMMANDS = ['deploy', 'build', 'registry', 'tunnel', 'push', 'cleanup', 'setup', 'doctor', 'status', 'rollback', 'prune'];
const USAGE = `Usage: robot-deploy <command> [robot... | all] [options]

Commands: ${COMMANDS.join(', ')}.
\`robot-deploy <command> --help\` describes one; \`robot-deploy --version\` prints the version.
The same scripts run as \`npx tsx scripts/<command>.ts\` in a copy of robot-deploy.`;

const [command, ...rest] = process.argv.slice(2);
if (command === '--version' || command === '-V') {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${manifest.version}\n`);
  process.exit(0);
}
if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (!COMMANDS.includes(command)) {
  process.stderr.write(`usage error: unknown command "${JSON.stringify(command).slice(1, -1)}"\n\n${USAGE}\n`);
  process.exit(2);
}
register();
const script = new URL(`./${command}.ts`, import.meta.url);
// Each script reads its own arguments from process.argv.slice(2), as under `tsx scripts/<command>.ts`.
process.argv = [process.argv[0], fileURLToPath(script), ...rest];
await import(script.href);
