// Benchmark: robot-deploy against the post's plain-OpenSSH registry flow and docker save|gzip|load,
// on simulated robots. Not part of `npm test`.
import { UsageError } from '../lib/config/errors.ts';
import { HELP, hostProblem, parseBenchArgs } from './bench/command-line.ts';
import { runBench } from './bench/run-bench.ts';

let options: ReturnType<typeof parseBenchArgs>;
try {
  options = parseBenchArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`usage error: ${error.message}\n\n${HELP.trim()}\n`);
  process.exit(2);
}
if (options === 'help') {
  process.stdout.write(`${HELP.trim()}\n`);
  process.exit(0);
}
const problem = hostProblem();
if (problem) {
  process.stderr.write(`cannot run the benchmark: ${problem}\n`);
  process.exit(2);
}
process.exit(await runBench(options, (line) => console.log(line)));
