// Run by tests/unit/runner/local-runner.test.ts: a laptop command aborted as Ctrl-C aborts it, after which this process
// exits at once, as runMain does right after the teardown. Whatever docker started must not outlive it.
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalRunner } from '../../scripts/lib/runner/local-runner.ts';

const [started] = process.argv.slice(2);
const abort = new AbortController();
void new LocalRunner(abort.signal).run(['docker', 'build', '.']);
while (!existsSync(started)) await sleep(20);
abort.abort(new Error('interrupted by SIGINT'));
process.exit(130);
