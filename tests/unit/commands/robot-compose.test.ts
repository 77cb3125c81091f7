// The branching of the <NAME>_COMPOSE robot script, against a stand-in docker that records its
// arguments; that the services really run the new image is proved on a docker26 robot (compose.test.ts).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPOSE_MISSING, COMPOSE_NO_PROJECT, composeUp } from '../../../scripts/lib/commands/robot-compose.ts';
import { tempDir } from '../../support/cli.ts';
import { robotShellTest } from '../../support/skip.ts';

const FAKE = `#!/bin/sh
case "$1 $2" in
  "compose version") [ -n "$NO_COMPOSE" ] && exit 1; echo "Docker Compose version v2.26.1"; exit 0 ;;
  "ps -a") case "$*" in *"project=stack"*) ;; *) exit 0 ;; esac
    case "$*" in *config_files*) echo "/srv/stack/compose.yaml,/srv/stack/override.yaml" ;; *working_dir*) echo "/srv/stack" ;; esac; exit 0 ;;
  "compose "*) shift; printf '[%s]' "$@"; echo; exit 0 ;;
esac
exit 99
`;

function run(spec: string, env: NodeJS.ProcessEnv = {}) {
  const bin = tempDir('rd-compose-');
  writeFileSync(join(bin, 'docker'), FAKE);
  chmodSync(join(bin, 'docker'), 0o755);
  const [command, ...args] = composeUp(spec);
  return spawnSync(command, args, {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ...env },
  });
}

robotShellTest('a compose file path: up -d with that file, the path passed as one argument', () => {
  const result = run('/opt/robot dir/compose.yaml');
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), '[-f][/opt/robot dir/compose.yaml][up][-d]');
});

robotShellTest("a project name: its files and directory as compose recorded them in the containers' labels", () => {
  const result = run('stack');
  assert.equal(result.status, 0, result.stderr);
  assert.equal(
    result.stdout.trim(),
    '[-p][stack][--project-directory][/srv/stack][-f][/srv/stack/compose.yaml][-f][/srv/stack/override.yaml][up][-d]',
  );
});

robotShellTest('an unknown project and a robot without compose v2 each fail with what to do', () => {
  const unknown = run('nosuch');
  assert.equal(unknown.status, COMPOSE_NO_PROJECT);
  assert.match(unknown.stderr, /no compose project "nosuch" here .*give the compose file's absolute path/);
  const missing = run('stack', { NO_COMPOSE: '1' });
  assert.equal(missing.status, COMPOSE_MISSING);
  assert.match(missing.stderr, /docker compose \(v2\) is not installed here: install the compose plugin/);
});
