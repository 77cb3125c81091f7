// Run by tests/unit/no-bash.test.ts with a PATH that has no bash.
import { LocalRunner } from '../../scripts/lib/runner/local-runner.ts';
import { configureZxShell } from '../../scripts/lib/shell/zx-shell.ts';

const shell = configureZxShell();
const args = ["it's", '$(echo injected)', 'a b', '`id`', ''];
const result = await new LocalRunner().run(['printf', '%s|', ...args]);
console.log(JSON.stringify({ shell, code: result.code, out: result.stdout, stderr: result.stderr }));
