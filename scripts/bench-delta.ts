// Measures the delta transfer against today's docker push on a simulated robot (Linux, root).
// Not part of `npm test`. Usage: npx tsx scripts/bench-delta.ts [--rounds N]
import { parseArgs } from 'node:util';
import { runDeltaBench } from './lib/delta-bench/run-delta-bench.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  process.stdout.write('Usage: npx tsx scripts/bench-delta.ts [--rounds N]   (Linux, root; default 3 rounds)\n');
  process.exit(0);
}
const rounds = Number(values.rounds ?? 3);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) {
  process.stderr.write('--rounds takes a whole number from 1 to 20\n');
  process.exit(2);
}
if (process.platform !== 'linux' || process.getuid?.() !== 0) {
  process.stderr.write('cannot run: the simulated robot needs Linux and root\n');
  process.exit(2);
}
await runDeltaBench(rounds, (line) => console.log(line));
